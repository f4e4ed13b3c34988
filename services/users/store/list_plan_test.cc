// The statements list_query.h builds can use the indexes the migrations create: with sequential
// scans and explicit sorts priced out, the planner picks the keyset or trigram index for each
// sort and for the query filter. (On a tiny table it would rightly prefer a scan, so the test
// asks whether the index applies, not whether it is cheaper.) RESET ALL afterwards restores the
// pool's connection settings, search_path included, which libs/pg sends as startup options.
#include <catch2/catch.hpp>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/users/store/list_query.h"
#include "services/users/store/store_fixture.h"
#include "services/users/store/testing/seed_users.h"

namespace backoffice::users {
namespace {

// EXPLAIN of the page query with the planner settings `settings` (SET statements) in force.
// With `counted`, of the first page that also counts its matches (BuildCountedPageQuery).
std::string Plan(testing::StoreFixture& f, const ListUsersRequest& request,
                 const std::optional<PagePosition>& after, const std::string& settings,
                 bool counted = false) {
  absl::StatusOr<ListSpec> spec = MakeListSpec(request);
  REQUIRE(spec.ok());
  Statement statement =
      counted ? BuildCountedPageQuery(*spec, 51, 0) : BuildPageQuery(*spec, after, 51, 0);
  absl::StatusOr<pg::PooledConnection> conn = f.pool().Acquire();
  REQUIRE(conn.ok());
  REQUIRE((*conn)->ExecuteScript(settings).ok());
  absl::StatusOr<pg::Result> plan =
      (*conn)->Execute(absl::StrCat("EXPLAIN ", statement.sql), statement.params);
  REQUIRE((*conn)->ExecuteScript("RESET ALL").ok());
  INFO(statement.sql << " -> " << plan.status().ToString());
  REQUIRE(plan.ok());
  std::string text;
  for (const pg::Row& row : *plan) absl::StrAppend(&text, *row.Get<std::string>(0), "\n");
  return text;
}

TEST_CASE("each sort key is served by its keyset index, first page and later pages") {
  testing::StoreFixture f;
  struct Case {
    std::string field;
    std::string index;
    SortValue value;
  };
  for (const Case& c : std::vector<Case>{
           {"create_time", "users_created_at_id", absl::FromUnixSeconds(1'700'000'000)},
           {"update_time", "users_updated_at_id", absl::FromUnixSeconds(1'700'000'000)},
           {"last_login_time", "users_last_login_at_id", absl::InfinitePast()},
           {"email", "users_email_id", std::string("m@example.com")},
           {"display_name", "users_display_name_id", std::string("M")},
           {"status", "users_status_id", std::string("active")},
       }) {
    for (SortDirection direction : {SortDirection::kAsc, SortDirection::kDesc}) {
      ListUsersRequest request{.order_by = {{c.field, direction}}};
      PagePosition after{.values = {c.value}, .id = "0190b5f2-7c1e-7d3a-9f00-0123456789ab"};
      for (const std::optional<PagePosition>& position :
           {std::optional<PagePosition>(), std::optional<PagePosition>(after)}) {
        std::string plan =
            Plan(f, request, position, "SET enable_seqscan = off; SET enable_sort = off");
        INFO(c.field << " " << (direction == SortDirection::kAsc ? "ASC" : "DESC") << "\n" << plan);
        CHECK(absl::StrContains(plan, c.index));
        CHECK_FALSE(absl::StrContains(plan, "Sort Key"));
      }
    }
  }
}

TEST_CASE("the query filter is served by the trigram index") {
  testing::StoreFixture f;
  // Real statistics, so that the estimates below reflect selective trigrams.
  REQUIRE(testing::SeedUsers(f.pool(), {.count = 5'000}).ok());
  for (const char* query : {"user123", "o'brien %_", "zq"}) {
    for (bool counted : {false, true}) {
      // GIN serves bitmap scans only: with plain index scans ruled out too, the alternative is a
      // bitmap over a whole keyset index, so the trigram index wins exactly when it applies.
      std::string plan = Plan(f, {.query = query}, std::nullopt,
                              "SET enable_seqscan = off; SET enable_indexscan = off", counted);
      INFO(query << (counted ? " (counted)" : "") << "\n" << plan);
      CHECK(absl::StrContains(plan, "users_search_trgm"));
      // The stored column is compared as it is: no per-row lower() in the recheck.
      CHECK(absl::StrContains(plan, "search_text ~~"));
      CHECK_FALSE(absl::StrContains(plan, "lower(((email"));
    }
  }
}

TEST_CASE("a counted text page is planned to read every match, never as a walk that stops early") {
  testing::StoreFixture f;
  REQUIRE(testing::SeedUsers(f.pool(), {.count = 20'000}).ok());
  // "user19" matches 1,111 users, 1,000 of them the newest (user19000..user19999): walking
  // users_created_at_id backwards finds a page at once, so the plain page takes that walk. The
  // counted page needs every match, and a walk would read the whole index to count them.
  std::string page = Plan(f, {.query = "user19"}, std::nullopt, "");
  INFO(page);
  REQUIRE(absl::StrContains(page, "Index Scan Backward using users_created_at_id"));
  std::string counted = Plan(f, {.query = "user19"}, std::nullopt, "", /*counted=*/true);
  INFO(counted);
  // A scan priced for every row instead: the trigram bitmap, or on this small table a
  // sequential scan (the trigram index's use is checked above).
  CHECK_FALSE(absl::StrContains(counted, "users_created_at_id"));
  // One sort: the window's order is the page's.
  size_t sorts = 0;
  for (size_t at = counted.find("Sort Key"); at != std::string::npos;
       at = counted.find("Sort Key", at + 1)) {
    ++sorts;
  }
  CHECK(sorts == 1);
}

}  // namespace
}  // namespace backoffice::users
