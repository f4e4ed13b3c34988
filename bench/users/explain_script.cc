// Prints a psql script that EXPLAINs (ANALYZE, BUFFERS) the exact statements UserStore::List runs
// for the benchmark's list scenarios, built by the store's own builder (list_query.h), so the
// benchmark can tell database time from service time. Each statement is PREPAREd like the
// service's per-connection prepared statements, explained on its first execution (a custom plan),
// executed five more times, and explained again: the plan PostgreSQL settles on for the service
// (plan_cache_mode = auto switches to a generic plan when it does not look costlier).
//
//   explain_script --query='99@' --deep_after_time=2024-01-12T13:46:39Z --deep_after_id=<uuid>
//       > explain.sql
//   psql -X -d backoffice -c 'SET search_path = users' -f explain.sql
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "bench/common/psql_explain.h"
#include "libs/config/command_line.h"
#include "libs/pg/params.h"
#include "services/users/store/list_query.h"

ABSL_FLAG(std::string, query, "99@", "text query of the query scenario");
ABSL_FLAG(int, page_size, 25, "rows per page (the store fetches one more)");
ABSL_FLAG(int, offset, 10000, "offset of the offset-paging statement");
ABSL_FLAG(std::string, deep_after_time, "",
          "create time (RFC 3339) of the last row before the deep page");
ABSL_FLAG(std::string, deep_after_id, "", "id of the last row before the deep page");

namespace backoffice::bench {
namespace {

void PrintExplain(const std::string& name, const std::string& title,
                  const users::Statement& statement) {
  bench::PrintExplain(name, title, statement.sql, statement.params);
}

// The estimate statement is `EXPLAIN (FORMAT JSON) <select>`, which PREPARE does not take: its
// cost is planning the select for the parameters, shown by EXPLAIN (SUMMARY ON) of the prepared
// select's first (custom) execution.
void PrintPlanning(const std::string& name, const std::string& title, users::Statement statement) {
  constexpr std::string_view kPrefix = "EXPLAIN (FORMAT JSON) ";
  if (statement.sql.rfind(kPrefix, 0) == 0) statement.sql.erase(0, kPrefix.size());
  const std::string execute = PrintPrepare(name, title, statement.sql, statement.params);
  std::printf("\\set ECHO none\n\\echo '-- planning only (the service runs EXPLAIN):'\n");
  std::printf("EXPLAIN (SUMMARY ON) %s;\n", execute.c_str());
  std::printf("DEALLOCATE %s;\n", name.c_str());
}

int Run() {
  const int page_size = absl::GetFlag(FLAGS_page_size);
  const int32_t limit = page_size + 1;  // UserStore::List fetches one more to know if more follow

  users::ListUsersRequest plain;
  plain.order_by.push_back({.field = "create_time", .direction = users::SortDirection::kDesc});
  users::ListUsersRequest query = plain;
  query.query = absl::GetFlag(FLAGS_query);

  absl::StatusOr<users::ListSpec> plain_spec = users::MakeListSpec(plain);
  absl::StatusOr<users::ListSpec> query_spec = users::MakeListSpec(query);
  if (!plain_spec.ok() || !query_spec.ok()) {
    std::fprintf(stderr, "explain_script: %s\n",
                 (plain_spec.ok() ? query_spec.status() : plain_spec.status()).ToString().c_str());
    return 2;
  }

  std::printf("\\pset pager off\n");
  PrintExplain("first_page", "first page: the page query",
               users::BuildPageQuery(*plain_spec, std::nullopt, limit, 0));
  // The default total: the planner's estimate first; a count capped at the limit + 1 only when
  // the estimate is within the limit (UserStore::List). Later pages reuse the first page's total.
  PrintPlanning("first_page_estimate",
                "first page: the estimate of the total (EXPLAIN, planning only)",
                users::BuildEstimateQuery(*plain_spec));
  PrintExplain("first_page_count",
               "first page: the capped count (run only when the estimate is at most 10,000)",
               users::BuildCountQuery(*plain_spec, users::kExactCountLimit + 1));

  const std::string after_time = absl::GetFlag(FLAGS_deep_after_time);
  const std::string after_id = absl::GetFlag(FLAGS_deep_after_id);
  if (!after_time.empty() && !after_id.empty()) {
    absl::Time time;
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, after_time, &time, &error)) {
      std::fprintf(stderr, "explain_script: --deep_after_time: %s\n", error.c_str());
      return 2;
    }
    users::PagePosition after{.values = {time}, .id = after_id};
    PrintExplain("deep_page", "deep page by token: the page query after the keyset position",
                 users::BuildPageQuery(*plain_spec, after, limit, 0));
  }
  PrintExplain(
      "offset_page", "deep page by offset (for contrast): the page query",
      users::BuildPageQuery(*plain_spec, std::nullopt, limit, absl::GetFlag(FLAGS_offset)));
  // A text query's first page asks for the estimate first; within the limit, the page statement
  // counts its matches itself (no separate count). The estimate is explained second all the
  // same: the first statement to plan the pattern pays for loading the search column's
  // statistics into the session's caches (0.7 ms instead of 0.15), which a service connection
  // pays once, and the estimate is planned only once here.
  PrintExplain("query_counted_page",
               "text query: the page query counting its matches (estimate at most 1,000)",
               users::BuildCountedPageQuery(*query_spec, limit, 0));
  PrintPlanning("query_estimate", "text query: the estimate of the total (EXPLAIN, planning only)",
                users::BuildEstimateQuery(*query_spec));
  PrintExplain("query_page", "text query: the page query alone (estimate above 1,000; later pages)",
               users::BuildPageQuery(*query_spec, std::nullopt, limit, 0));
  PrintExplain("query_count",
               "text query: the capped count (now only for an empty page past the end)",
               users::BuildCountQuery(*query_spec, users::kExactTextCountLimit + 1));
  return 0;
}

}  // namespace
}  // namespace backoffice::bench

int main(int argc, char** argv) {
  backoffice::config::ParseCommandLine(
      argc, argv, "Prints a psql script that EXPLAINs the ListUsers statements of the benchmark.");
  return backoffice::bench::Run();
}
