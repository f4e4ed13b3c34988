// Prints the psql lines that EXPLAIN (ANALYZE, BUFFERS) one parameterized statement the way a
// service runs it: PREPAREd (services prepare every statement once per connection), explained on
// its first execution (a custom plan for the parameters), executed five more times, and explained
// again (the plan PostgreSQL keeps under plan_cache_mode = auto: a generic one when it does not
// look costlier). The script bench/users/explain_script.cc writes, for any statement.
//
//   PrintExplain("first_page", "first page: the page query", statement.sql, statement.params);
#pragma once

#include <string>

#include "libs/pg/params.h"

namespace backoffice::bench {

/// Writes the psql script lines for `sql` with `params` to stdout, under an `\echo` of `title`;
/// `name` is the prepared statement's name (deallocated at the end).
void PrintExplain(const std::string& name, const std::string& title, const std::string& sql,
                  const pg::Params& params);

}  // namespace backoffice::bench
