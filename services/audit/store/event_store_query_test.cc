// EventStore::Query and Export against a real PostgreSQL: filters, both orders, keyset tokens,
// offsets, totals, and the export snapshot.
#include <catch2/catch.hpp>

#include "services/audit/store/store_fixture.h"

namespace backoffice::audit {
namespace {

using testing::MakeEvent;
using testing::StoreFixture;

const absl::Time kBase = absl::FromUnixSeconds(1'780'000'000);

// 30 events: event_time kBase + i minutes; actions cycle users.user.update,
// users.session.login, roles.grant.create; actor a-(i%2); resource r-(i%5); request q-(i%3).
void Seed(StoreFixture& f) {
  const char* actions[] = {"users.user.update", "users.session.login", "roles.grant.create"};
  std::vector<Event> batch;
  for (int i = 0; i < 30; ++i) {
    Event event = MakeEvent(actions[i % 3], kBase + absl::Minutes(i));
    event.actor_id = absl::StrCat("a-", i % 2);
    event.resource_id = absl::StrCat("r-", i % 5);
    event.request_id = absl::StrCat("q-", i % 3);
    event.service = i % 3 == 2 ? "roles" : "users";
    event.outcome = i == 7 ? kOutcomeDenied : kOutcomeSuccess;
    batch.push_back(event);
  }
  // Reverse insertion order, so time order is not sequence order.
  std::reverse(batch.begin(), batch.end());
  REQUIRE(f.store().Append(batch, absl::Now()).ok());
}

QueryPage QueryOk(StoreFixture& f, const QuerySpec& spec, PageSpec page = {}) {
  absl::StatusOr<QueryPage> result = f.store().Query(spec, page, absl::Now());
  INFO(result.status().ToString());
  REQUIRE(result.ok());
  return *result;
}

std::vector<int64_t> Minutes(const QueryPage& page) {
  std::vector<int64_t> minutes;
  for (const Event& e : page.events) minutes.push_back((e.event_time - kBase) / absl::Minutes(1));
  return minutes;
}

TEST_CASE("queries filter on each field") {
  StoreFixture f;
  Seed(f);
  auto total = [&](EventFilter filter) {
    QueryPage page = QueryOk(f, {.filter = std::move(filter)}, {.size = 500});
    CHECK(page.total_size == static_cast<int64_t>(page.events.size()));
    CHECK_FALSE(page.total_is_estimate);
    return page.total_size;
  };
  CHECK(total({}) == 30);
  CHECK(total({.actor_id = "a-1"}) == 15);
  CHECK(total({.actor_type = "service"}) == 0);
  CHECK(total({.actions = {"users.session.login"}}) == 10);
  CHECK(total({.actions = {"users.*"}}) == 20);
  CHECK(total({.actions = {"users.session.login", "roles.*"}}) == 20);
  CHECK(total({.actions = {"user.*"}}) == 0);
  CHECK(total({.resource_type = "users.User", .resource_id = "r-3"}) == 6);
  CHECK(total({.time_start = kBase + absl::Minutes(10), .time_end = kBase + absl::Minutes(20)}) ==
        10);
  CHECK(total({.request_id = "q-0"}) == 10);
  CHECK(total({.service = "roles"}) == 10);
  CHECK(total({.outcome = "denied"}) == 1);
  CHECK(total({.actor_id = "a-0", .actions = {"users.*"}, .request_id = "q-0"}) == 5);
}

TEST_CASE("queries sort by time either way and page by token or offset") {
  StoreFixture f;
  Seed(f);
  QuerySpec newest{.filter = {.actions = {"users.*"}}};
  QueryPage first = QueryOk(f, newest, {.size = 4});
  CHECK(Minutes(first) == std::vector<int64_t>{28, 27, 25, 24});
  REQUIRE_FALSE(first.next_page_token.empty());
  QueryPage second = QueryOk(f, newest, {.size = 4, .token = first.next_page_token});
  CHECK(Minutes(second) == std::vector<int64_t>{22, 21, 19, 18});
  CHECK(Minutes(QueryOk(f, newest, {.size = 4, .offset = 4})) == Minutes(second));

  QuerySpec oldest{.filter = {.actions = {"users.*"}}, .descending = false};
  std::vector<int64_t> all;
  std::string token;
  do {
    QueryPage page = QueryOk(f, oldest, {.size = 7, .token = token});
    for (int64_t m : Minutes(page)) all.push_back(m);
    token = page.next_page_token;
  } while (!token.empty());
  CHECK(all.size() == 20);
  CHECK(std::is_sorted(all.begin(), all.end()));

  // Ties on event_time are broken by sequence.
  StoreFixture g;
  std::vector<Event> same;
  for (int i = 0; i < 5; ++i) same.push_back(MakeEvent("users.user.update", kBase));
  REQUIRE(g.store().Append(same, absl::Now()).ok());
  QueryPage a = QueryOk(g, {}, {.size = 2});
  QueryPage b = QueryOk(g, {}, {.size = 2, .token = a.next_page_token});
  QueryPage c = QueryOk(g, {}, {.size = 2, .token = b.next_page_token});
  CHECK(a.events[0].sequence == 5);
  CHECK(b.events[0].sequence == 3);
  CHECK(c.events.size() == 1);
  CHECK(c.next_page_token.empty());
}

TEST_CASE("bad page tokens, sizes and offsets are clear errors") {
  StoreFixture f;
  Seed(f);
  QueryPage first = QueryOk(f, {}, {.size = 2});
  auto error = [&](const QuerySpec& spec, PageSpec page) {
    return std::string(f.store().Query(spec, page, absl::Now()).status().message());
  };
  CHECK(error({}, {.size = 2, .token = "not a token!"}) ==
        "page.page_token: malformed; use a next_page_token as issued");
  CHECK_THAT(error({.filter = {.actor_id = "a-1"}}, {.size = 2, .token = first.next_page_token}),
             Catch::StartsWith("page.page_token: issued for other filters"));
  CHECK_THAT(error({.descending = false}, {.size = 2, .token = first.next_page_token}),
             Catch::StartsWith("page.page_token: issued for other filters"));
  CHECK(f.store()
            .Query({}, {.size = 2, .token = first.next_page_token}, absl::Now() + absl::Hours(25))
            .status()
            .message() == "page.page_token: expired; start again from the first page");
  CHECK(error({}, {.size = 0}) == "page.page_size: must be 1 to 500");
  CHECK(error({}, {.size = 2, .offset = 10001}) == "page.offset: must be 0 to 10000");
  CHECK(error({}, {.size = 2, .token = first.next_page_token, .offset = 1}) ==
        "page.offset: not together with page.page_token");
  CHECK(ValidateFilter({.actions = {"users.*.x"}}, "filter").message() ==
        "filter.actions[0]: must be an action (`users.user.update`) or a prefix ending in `.*`");
  CHECK(ValidateFilter({.time_start = kBase, .time_end = kBase - absl::Seconds(1)}, "filter")
            .message() == "filter.event_time.end_time: must not be before event_time.start_time");
}

TEST_CASE("totals: none, estimate, exact") {
  StoreFixture f;
  Seed(f);
  CHECK(QueryOk(f, {}, {.size = 1, .total = TotalMode::kNone}).total_size == -1);
  QueryPage estimated = QueryOk(f, {}, {.size = 1, .total = TotalMode::kEstimate});
  CHECK(estimated.total_is_estimate);
  CHECK(estimated.total_size >= 0);
  QueryPage exact =
      QueryOk(f, {.filter = {.service = "roles"}}, {.size = 1, .total = TotalMode::kExact});
  CHECK(exact.total_size == 10);
  CHECK_FALSE(exact.total_is_estimate);
}

TEST_CASE("export streams every match in order, and refuses too many") {
  StoreFixture f;
  Seed(f);
  std::vector<int64_t> minutes;
  absl::Status status = f.store().Export(
      {.filter = {.actor_id = "a-0"}, .descending = false}, 100, [&](const Event& e) {
        minutes.push_back((e.event_time - kBase) / absl::Minutes(1));
        return absl::OkStatus();
      });
  REQUIRE(status.ok());
  CHECK(minutes == std::vector<int64_t>{0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28});
  int calls = 0;
  absl::Status refused = f.store().Export({}, 29, [&](const Event&) {
    ++calls;
    return absl::OkStatus();
  });
  CHECK(refused.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(calls == 0);
  absl::Status stopped = f.store().Export(
      {}, 100, [&](const Event&) { return absl::CancelledError("client went away"); });
  CHECK(stopped.code() == absl::StatusCode::kCancelled);
}

}  // namespace
}  // namespace backoffice::audit
