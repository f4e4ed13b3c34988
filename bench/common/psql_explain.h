// Prints the psql lines that EXPLAIN (ANALYZE, BUFFERS) one parameterized statement the way a
// service runs it: PREPAREd (services prepare every statement once per connection), explained on
// its first execution (a custom plan for the parameters), executed five more times, and explained
// again (the plan PostgreSQL keeps under plan_cache_mode = auto: a generic one when it does not
// look costlier). Shared by the EXPLAIN scripts of bench/users and bench/audit.
//
//   PrintExplain("first_page", "first page: the page query", statement.sql, statement.params);
#pragma once

#include <string>

#include "libs/pg/params.h"

namespace backoffice::bench {

/// Writes an `\echo` of `title` and `PREPARE name(types) AS sql;` to stdout; returns the
/// `EXECUTE name(values)` that runs it with `params` (DEALLOCATE it when done).
std::string PrintPrepare(const std::string& name, const std::string& title, const std::string& sql,
                         const pg::Params& params);

/// Writes the psql script lines for `sql` with `params` to stdout, under an `\echo` of `title`;
/// `name` is the prepared statement's name (deallocated at the end).
void PrintExplain(const std::string& name, const std::string& title, const std::string& sql,
                  const pg::Params& params);

}  // namespace backoffice::bench
