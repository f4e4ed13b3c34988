// UserStore::List against a real PostgreSQL: filters, sorts, keyset tokens, offsets and totals.
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/users/store/store_fixture.h"
#include "services/users/store/testing/seed_users.h"
#include "services/users/store/user_store.h"

namespace backoffice::users {
namespace {

using testing::AdminActor;
using testing::StoreFixture;

std::vector<std::string> Ids(const std::vector<User>& users) {
  std::vector<std::string> ids;
  for (const User& user : users) ids.push_back(user.id);
  return ids;
}

ListUsersPage ListOk(UserStore& store, const ListUsersRequest& request) {
  absl::StatusOr<ListUsersPage> page = store.List(request);
  INFO(page.status().ToString());
  REQUIRE(page.ok());
  return *std::move(page);
}

// Every id, following next_page_token with pages of `page_size`.
std::vector<std::string> PageThrough(UserStore& store, ListUsersRequest request,
                                     int32_t page_size) {
  request.page_size = page_size;
  std::vector<std::string> ids;
  for (int pages = 0; pages < 1000; ++pages) {
    ListUsersPage page = ListOk(store, request);
    REQUIRE(page.users.size() <= static_cast<size_t>(page_size));
    for (const User& user : page.users) ids.push_back(user.id);
    if (page.next_page_token.empty()) return ids;
    REQUIRE(page.users.size() == static_cast<size_t>(page_size));
    request.page_token = page.next_page_token;
  }
  FAIL("paging did not end");
  return ids;
}

std::vector<std::string> QueryIds(StoreFixture& f, const std::string& sql) {
  std::vector<std::string> ids;
  for (const pg::Row& row : f.Query(sql)) ids.push_back(*row.Get<std::string>(0));
  return ids;
}

absl::Status ListError(UserStore& store, const ListUsersRequest& request) {
  return store.List(request).status();
}

void CheckInvalid(const absl::Status& status, const std::string& field) {
  INFO(status.ToString());
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StartsWith(status.message(), field + ":"));
}

// 60 users, three per creation second (ties), every 7th disabled, every 11th deleted.
void SeedSmall(StoreFixture& f) {
  absl::Status seeded = testing::SeedUsers(
      f.pool(), {.count = 60, .users_per_second = 3, .disabled_every = 7, .deleted_every = 11});
  INFO(seeded.ToString());
  REQUIRE(seeded.ok());
  // Spread update times and logins so those sorts have ties and NULLs too.
  f.Query("UPDATE users SET updated_at = created_at + ((hashtext(id::text) % 4) * interval '1 h')");
  f.Query(
      "UPDATE users SET last_login_at = created_at + interval '1 day' "
      "WHERE hashtext(email) % 3 = 0");
}

TEST_CASE("the default list hides deleted users and sorts by create_time DESC, id DESC") {
  StoreFixture f;
  SeedSmall(f);
  ListUsersPage page = ListOk(f.store(), {.page_size = 100});
  CHECK(Ids(page.users) == QueryIds(f,
                                    "SELECT id::text FROM users WHERE deleted_at IS NULL "
                                    "ORDER BY created_at DESC, id DESC"));
  CHECK(page.users.size() == 60 - 5);  // 11, 22, 33, 44, 55 are deleted
  CHECK(page.next_page_token.empty());
  CHECK(page.total_size == 55);
  CHECK_FALSE(page.total_is_estimate);
  for (const User& user : page.users) CHECK(user.status != UserStatus::kDeleted);
}

TEST_CASE("pages read through a snapshot are one moment: later changes are not seen") {
  StoreFixture f;
  SeedSmall(f);
  absl::StatusOr<std::unique_ptr<UserStore::ListSnapshot>> snapshot = f.store().OpenListSnapshot();
  REQUIRE(snapshot.ok());
  ListUsersRequest request{.page_size = 20, .order_by = {{"email"}}};
  absl::StatusOr<ListUsersPage> first = (*snapshot)->List(request);
  REQUIRE(first.ok());
  REQUIRE_FALSE(first->next_page_token.empty());

  // Between pages: a new account that sorts last, and one on a later page deleted.
  NewUser added;
  added.fields.email = "zzz-after-the-snapshot@example.com";
  absl::StatusOr<User> created = f.store().Create(added, AdminActor());
  REQUIRE(created.ok());
  std::vector<std::string> all_before =
      Ids(ListOk(f.store(), {.page_size = 100, .order_by = {{"email"}}}).users);
  const std::string doomed = all_before.at(30);
  REQUIRE(f.store().SoftDelete(doomed, std::nullopt, AdminActor()).ok());

  std::vector<std::string> seen = Ids(first->users);
  request.page_token = first->next_page_token;
  while (!request.page_token.empty()) {
    absl::StatusOr<ListUsersPage> page = (*snapshot)->List(request);
    REQUIRE(page.ok());
    for (const User& user : page->users) seen.push_back(user.id);
    request.page_token = page->next_page_token;
  }
  CHECK(seen.size() == 55);  // the seeded live accounts, as when the snapshot began
  CHECK(std::find(seen.begin(), seen.end(), doomed) != seen.end());
  CHECK(std::find(seen.begin(), seen.end(), created->id) == seen.end());
  // Outside the snapshot both changes show.
  std::vector<std::string> now = Ids(ListOk(f.store(), {.page_size = 100}).users);
  CHECK(now.size() == 55);
  CHECK(std::find(now.begin(), now.end(), doomed) == now.end());
}

TEST_CASE("paging by token yields the full ordered set for every sort, both directions") {
  StoreFixture f;
  SeedSmall(f);
  struct Expected {
    std::string field;
    std::string order_sql;  // the documented order, written independently of the builder
  };
  std::vector<Expected> fields = {
      {"create_time", "created_at"},
      {"update_time", "updated_at"},
      {"last_login_time", "COALESCE(last_login_at, '-infinity')"},
      {"email", "lower(email)"},
      {"display_name", "display_name"},
      {"status", "status"},
  };
  for (const Expected& e : fields) {
    for (SortDirection direction : {SortDirection::kAsc, SortDirection::kDesc}) {
      const char* dir = direction == SortDirection::kAsc ? "ASC" : "DESC";
      INFO(e.field << " " << dir);
      ListUsersRequest request{
          .statuses = {UserStatus::kActive, UserStatus::kDisabled, UserStatus::kDeleted},
          .order_by = {{e.field, direction}}};
      std::vector<std::string> expected =
          QueryIds(f, absl::StrCat("SELECT id::text FROM users ORDER BY ", e.order_sql, " ", dir,
                                   ", id ", dir));
      REQUIRE(expected.size() == 60);
      CHECK(PageThrough(f.store(), request, 500) == expected);
      std::vector<std::string> paged = PageThrough(f.store(), request, 7);
      CHECK(paged == expected);
      CHECK(std::set<std::string>(paged.begin(), paged.end()).size() == paged.size());
    }
  }
}

TEST_CASE("defaults per field, and two keys in mixed directions") {
  StoreFixture f;
  SeedSmall(f);
  CHECK(PageThrough(f.store(), {.order_by = {{"email"}}}, 9) ==
        QueryIds(f,
                 "SELECT id::text FROM users WHERE deleted_at IS NULL "
                 "ORDER BY lower(email) ASC, id ASC"));
  CHECK(PageThrough(f.store(), {.order_by = {{"last_login_time"}}}, 9) ==
        QueryIds(f,
                 "SELECT id::text FROM users WHERE deleted_at IS NULL "
                 "ORDER BY last_login_at DESC NULLS LAST, id DESC"));
  ListUsersRequest mixed{
      .statuses = {UserStatus::kActive, UserStatus::kDisabled, UserStatus::kDeleted},
      .order_by = {{"status", SortDirection::kAsc}, {"create_time", SortDirection::kDesc}}};
  CHECK(PageThrough(f.store(), mixed, 4) ==
        QueryIds(f, "SELECT id::text FROM users ORDER BY status ASC, created_at DESC, id DESC"));
  ListUsersRequest same{
      .order_by = {{"update_time", SortDirection::kAsc}, {"display_name", SortDirection::kAsc}}};
  CHECK(PageThrough(f.store(), same, 5) ==
        QueryIds(f,
                 "SELECT id::text FROM users WHERE deleted_at IS NULL "
                 "ORDER BY updated_at, display_name, id"));
}

TEST_CASE("sort errors name the field") {
  StoreFixture f;
  CheckInvalid(ListError(f.store(), {.order_by = {{"create_time"}, {"password_hash"}}}),
               "order_by[1].field");
  CHECK(absl::StrContains(ListError(f.store(), {.order_by = {{"colour"}}}).message(), "colour"));
  CheckInvalid(ListError(f.store(), {.order_by = {{"email; DROP TABLE users"}}}),
               "order_by[0].field");
  CheckInvalid(ListError(f.store(), {.order_by = {{"email"}, {"email"}}}), "order_by[1].field");
  CheckInvalid(ListError(f.store(), {.order_by = {{"email"}, {"status"}, {"create_time"}}}),
               "order_by");
  CHECK(f.Count("SELECT count(*) FROM users") == 0);  // the table is still there
}

TEST_CASE("the query filter matches email or display name, case-insensitively and literally") {
  StoreFixture f;
  SeedSmall(f);
  auto create = [&](const std::string& email, const std::string& name) {
    absl::StatusOr<User> user =
        f.store().Create(NewUser{.fields = {.email = email, .display_name = name}}, AdminActor());
    REQUIRE(user.ok());
    return user->id;
  };
  std::string percent = create("percent@test.org", "100% sure");
  std::string underscore = create("under_score@test.org", "Under Score");
  std::string backslash = create("back@test.org", "back\\slash");
  std::string sneaky = create("sneaky@test.org", "x'; DROP TABLE users; --");
  std::string boundary = create("mail@corp.com", "Zed");

  auto search = [&](const std::string& query) {
    ListUsersPage page = ListOk(f.store(), {.page_size = 500, .query = query});
    CHECK(page.total_size == static_cast<int64_t>(page.users.size()));
    return Ids(page.users);
  };
  std::string spaced = create("spaced@test.org", "Ab Cd");
  CHECK(search("% s") == std::vector<std::string>{percent});
  CHECK(search("0%s").empty());  // as a wildcard, % would match "0% s"
  CHECK(search("b_c").empty());  // as a wildcard, _ would match "b C"
  CHECK(search("b c") == std::vector<std::string>{spaced});
  CHECK(search("%").empty());  // short: a prefix, and no email or name starts with %
  CHECK(search("r_s") == std::vector<std::string>{underscore});
  CHECK(search("_") == std::vector<std::string>{});  // short: prefixes only, and none has "_"
  CHECK(search("\\") == std::vector<std::string>{});
  CHECK(search("k\\s") == std::vector<std::string>{backslash});
  CHECK(search("'; DROP TABLE users; --") == std::vector<std::string>{sneaky});
  CHECK(search("UNDER_SC") == std::vector<std::string>{underscore});
  CHECK(search("score") == std::vector<std::string>{underscore});
  CHECK(search("com Zed").empty());  // never matches across email and display name
  CHECK(search("user1@EXAMPLE") ==
        QueryIds(f,
                 "SELECT id::text FROM users WHERE email ILIKE '%user1@example%' "
                 "AND deleted_at IS NULL ORDER BY created_at DESC, id DESC"));
  // Under three characters: a prefix of the email or of the display name.
  CHECK(search("ze") == std::vector<std::string>{boundary});
  CHECK(search("ma") == std::vector<std::string>{boundary});
  CHECK(search("ed").empty());
  CHECK(f.Count("SELECT count(*) FROM users") == 66);

  CheckInvalid(ListError(f.store(), {.query = std::string(201, 'q')}), "query");
  CheckInvalid(ListError(f.store(), {.query = "bad\xff"}), "query");
  CHECK(ListOk(f.store(), {.query = std::string(200, 'q')}).users.empty());
}

TEST_CASE("status, create_time and id filters") {
  StoreFixture f;
  SeedSmall(f);
  auto ids = [&](const ListUsersRequest& request) {
    ListUsersRequest r = request;
    r.page_size = 500;
    ListUsersPage page = ListOk(f.store(), r);
    CHECK(page.total_size == static_cast<int64_t>(page.users.size()));
    return Ids(page.users);
  };
  const std::string order = " ORDER BY created_at DESC, id DESC";
  CHECK(ids({.statuses = {UserStatus::kDisabled}}) ==
        QueryIds(f, "SELECT id::text FROM users WHERE status = 'disabled'" + order));
  CHECK(ids({.statuses = {UserStatus::kDeleted}}) ==
        QueryIds(f, "SELECT id::text FROM users WHERE deleted_at IS NOT NULL" + order));
  CHECK(ids({.statuses = {UserStatus::kActive, UserStatus::kDeleted}}) ==
        QueryIds(f, "SELECT id::text FROM users WHERE status <> 'disabled'" + order));
  CHECK(ids({.statuses = {UserStatus::kActive, UserStatus::kDisabled, UserStatus::kDeleted}})
            .size() == 60);

  absl::Time start = absl::FromUnixSeconds(1'704'067'200 + 5);
  absl::Time end = absl::FromUnixSeconds(1'704'067'200 + 9);
  std::vector<std::string> in_range = ids({.create_time_start = start, .create_time_end = end});
  CHECK(in_range ==
        QueryIds(f,
                 "SELECT id::text FROM users WHERE deleted_at IS NULL AND created_at >= "
                 "'2024-01-01T00:00:05Z' AND created_at < '2024-01-01T00:00:09Z'" +
                     order));
  CHECK(in_range.size() == 11);  // 12 users in 4 seconds, one (i = 22) deleted
  CHECK(ids({.create_time_start = start, .create_time_end = start}).empty());
  CheckInvalid(ListError(f.store(), {.create_time_start = end, .create_time_end = start}),
               "create_time.end_time");

  std::vector<std::string> some =
      QueryIds(f, "SELECT id::text FROM users WHERE deleted_at IS NULL" + order + " LIMIT 3");
  ListUsersRequest by_id{
      .ids = {some[2], some[0], some[2], some[1], "0190b5f2-7c1e-7d3a-9f00-0123456789ab"}};
  CHECK(ids(by_id) == some);
  CheckInvalid(ListError(f.store(), {.ids = {some[0], "nope"}}), "ids[1]");
  CheckInvalid(ListError(f.store(), {.ids = std::vector<std::string>(501, some[0])}), "ids");
}

TEST_CASE("page tokens are bound to their filters and sort, and checked") {
  int64_t now_seconds = 1'800'000'000;
  StoreFixture f(UserStoreOptions{.clock = [&] { return absl::FromUnixSeconds(now_seconds); }});
  SeedSmall(f);
  ListUsersPage first = ListOk(f.store(), {.page_size = 5, .query = "user"});
  REQUIRE_FALSE(first.next_page_token.empty());
  CHECK(first.next_page_token.size() < 300);
  CHECK(ListOk(f.store(), {.page_size = 5, .page_token = first.next_page_token, .query = "user"})
            .users.size() == 5);

  CheckInvalid(
      ListError(f.store(), {.page_size = 5, .page_token = first.next_page_token, .query = "usr"}),
      "page.page_token");
  CheckInvalid(ListError(f.store(), {.page_token = first.next_page_token,
                                     .query = "user",
                                     .statuses = {UserStatus::kDeleted}}),
               "page.page_token");
  CheckInvalid(ListError(f.store(), {.page_token = first.next_page_token,
                                     .query = "user",
                                     .order_by = {{"create_time", SortDirection::kAsc}}}),
               "page.page_token");
  CheckInvalid(
      ListError(f.store(), {.page_token = first.next_page_token, .offset = 5, .query = "user"}),
      "page.offset");

  std::string json_garbage;
  absl::WebSafeBase64Escape(R"({"v":1,"b":"x"})", &json_garbage);
  std::string other_version;
  absl::WebSafeBase64Escape(R"({"v":2,"b":"x","x":1,"k":[],"i":"x"})", &other_version);
  for (const std::string& bad :
       {std::string("not a token!"), std::string("AAAA"), json_garbage, other_version,
        first.next_page_token.substr(0, first.next_page_token.size() / 2),
        first.next_page_token + "x", std::string(5000, 'A')}) {
    INFO(bad);
    CheckInvalid(ListError(f.store(), {.page_token = bad, .query = "user"}), "page.page_token");
  }

  now_seconds += 24 * 3600 + 1;
  CheckInvalid(
      ListError(f.store(), {.page_size = 5, .page_token = first.next_page_token, .query = "user"}),
      "page.page_token");
}

TEST_CASE("page size and offset bounds") {
  StoreFixture f;
  REQUIRE(testing::SeedUsers(f.pool(), {.count = 620}).ok());
  CHECK(ListOk(f.store(), {}).users.size() == 50);
  CHECK(ListOk(f.store(), {.page_size = 1000}).users.size() == 500);
  CHECK(ListOk(f.store(), {.page_size = 1}).users.size() == 1);
  CheckInvalid(ListError(f.store(), {.page_size = -1}), "page.page_size");
  CheckInvalid(ListError(f.store(), {.offset = -1}), "page.offset");
  CheckInvalid(ListError(f.store(), {.offset = 10'001}), "page.offset");
  CHECK(ListOk(f.store(), {.offset = 10'000}).users.empty());

  std::vector<std::string> all = PageThrough(f.store(), {}, 500);
  REQUIRE(all.size() == 620);
  ListUsersPage skipped = ListOk(f.store(), {.page_size = 10, .offset = 600});
  CHECK(Ids(skipped.users) == std::vector<std::string>(all.begin() + 600, all.begin() + 610));
  // A client can switch from offset to keyset paging.
  ListUsersPage next = ListOk(f.store(), {.page_size = 10, .page_token = skipped.next_page_token});
  CHECK(Ids(next.users) == std::vector<std::string>(all.begin() + 610, all.end()));
  CHECK(next.next_page_token.empty());
}

TEST_CASE("totals: exact when small, none, estimate, exact on demand, estimate when large") {
  StoreFixture f;
  REQUIRE(testing::SeedUsers(f.pool(), {.count = 10'050, .disabled_every = 10}).ok());
  ListUsersPage small = ListOk(f.store(), {.page_size = 1, .statuses = {UserStatus::kDisabled}});
  CHECK(small.total_size == 1'005);
  CHECK_FALSE(small.total_is_estimate);

  ListUsersPage none =
      ListOk(f.store(), {.page_size = 1, .total_count_mode = TotalCountMode::kNone});
  CHECK(none.total_size == -1);

  ListUsersPage exact =
      ListOk(f.store(), {.page_size = 1, .total_count_mode = TotalCountMode::kExact});
  CHECK(exact.total_size == 10'050);
  CHECK_FALSE(exact.total_is_estimate);

  ListUsersPage estimate =
      ListOk(f.store(), {.page_size = 1, .total_count_mode = TotalCountMode::kEstimate});
  CHECK(estimate.total_is_estimate);
  CHECK(estimate.total_size > 1'000);  // planner statistics after ANALYZE, not a count

  ListUsersPage large = ListOk(f.store(), {.page_size = 1});
  CHECK(large.total_is_estimate);
  CHECK(large.total_size > kExactCountLimit);

  ListUsersPage filtered_estimate = ListOk(
      f.store(), {.page_size = 1, .total_count_mode = TotalCountMode::kEstimate, .query = "user7"});
  CHECK(filtered_estimate.total_is_estimate);
  CHECK(filtered_estimate.total_size >= 0);

  // A text query counts exactly only up to kExactTextCountLimit: "user1" matches 1,162 users
  // (user1, user10..user19, user100..user199, user1000..user1999, user10000..user10050).
  ListUsersPage text_large = ListOk(f.store(), {.page_size = 1, .query = "user1"});
  CHECK(text_large.total_is_estimate);
  CHECK(text_large.total_size > kExactTextCountLimit);
  ListUsersPage text_exact = ListOk(
      f.store(), {.page_size = 1, .total_count_mode = TotalCountMode::kExact, .query = "user1"});
  CHECK(text_exact.total_size == 1'162);
  CHECK_FALSE(text_exact.total_is_estimate);
  // A smaller match set is still counted exactly by default.
  ListUsersPage text_small = ListOk(f.store(), {.page_size = 1, .query = "user99"});
  CHECK_FALSE(text_small.total_is_estimate);
  CHECK(text_small.total_size == 111);  // user99, user990..user999, user9900..user9999
}

TEST_CASE("later pages report the first page's total, carried in the token") {
  StoreFixture f;
  REQUIRE(testing::SeedUsers(f.pool(), {.count = 30}).ok());
  ListUsersPage first = ListOk(f.store(), {.page_size = 10});
  CHECK(first.total_size == 30);
  CHECK_FALSE(first.total_is_estimate);
  REQUIRE_FALSE(first.next_page_token.empty());

  // Rows added after the first page: the default total of later pages is not counted again.
  REQUIRE(testing::SeedUsers(f.pool(), {.count = 5, .first_index = 31}).ok());
  ListUsersPage second = ListOk(f.store(), {.page_size = 10, .page_token = first.next_page_token});
  CHECK(second.total_size == 30);
  CHECK_FALSE(second.total_is_estimate);
  ListUsersPage third = ListOk(f.store(), {.page_size = 10, .page_token = second.next_page_token});
  CHECK(third.total_size == 30);
  // Other modes on a later page do what they say.
  ListUsersPage exact = ListOk(f.store(), {.page_size = 10,
                                           .page_token = first.next_page_token,
                                           .total_count_mode = TotalCountMode::kExact});
  CHECK(exact.total_size == 35);
  CHECK_FALSE(exact.total_is_estimate);
  ListUsersPage none = ListOk(f.store(), {.page_size = 10,
                                          .page_token = first.next_page_token,
                                          .total_count_mode = TotalCountMode::kNone});
  CHECK(none.total_size == -1);

  // A first page not counted carries nothing: a later default page counts.
  ListUsersPage uncounted =
      ListOk(f.store(), {.page_size = 10, .total_count_mode = TotalCountMode::kNone});
  CHECK(uncounted.total_size == -1);
  ListUsersPage counted =
      ListOk(f.store(), {.page_size = 10, .page_token = uncounted.next_page_token});
  CHECK(counted.total_size == 35);
  CHECK_FALSE(counted.total_is_estimate);
}

TEST_CASE("a first page that ends the list is its own exact total, offset included") {
  StoreFixture f;
  REQUIRE(testing::SeedUsers(f.pool(), {.count = 40, .deleted_every = 10}).ok());  // 36 listed
  for (TotalCountMode mode : {TotalCountMode::kDefault, TotalCountMode::kExact}) {
    ListUsersPage whole = ListOk(f.store(), {.page_size = 50, .total_count_mode = mode});
    CHECK(whole.users.size() == 36);
    CHECK(whole.total_size == 36);
    CHECK_FALSE(whole.total_is_estimate);
    ListUsersPage tail =
        ListOk(f.store(), {.page_size = 10, .offset = 30, .total_count_mode = mode});
    CHECK(tail.users.size() == 6);
    CHECK(tail.next_page_token.empty());
    CHECK(tail.total_size == 36);
    // Past the end the page proves nothing: the total is counted.
    ListUsersPage past =
        ListOk(f.store(), {.page_size = 10, .offset = 100, .total_count_mode = mode});
    CHECK(past.users.empty());
    CHECK(past.total_size == 36);
    CHECK_FALSE(past.total_is_estimate);
    // A text query whose matches fit in the page.
    ListUsersPage query =
        ListOk(f.store(), {.page_size = 50, .total_count_mode = mode, .query = "user3"});
    CHECK(query.total_size == 10);  // user3, user31..user39 (user30 is deleted)
    CHECK(query.total_size == static_cast<int64_t>(query.users.size()));
  }
}

// Users matching `query` the way ListUsers' contract says (a case-insensitive substring of email
// or display name), found without LIKE, deleted users excluded; in the default order.
std::vector<std::string> MatchingIds(StoreFixture& f, const std::string& query) {
  std::vector<std::string> ids;
  for (const pg::Row& row : f.Query(
           "SELECT id::text FROM users WHERE status <> 'deleted' AND "
           "(strpos(lower(email), lower($1)) > 0 OR strpos(lower(display_name), lower($1)) > 0) "
           "ORDER BY created_at DESC, id DESC",
           {query})) {
    ids.push_back(*row.Get<std::string>(0));
  }
  return ids;
}

TEST_CASE("a text query's first page counts its matches in the same statement, exactly") {
  StoreFixture f;
  // No statistics for the search column: the planner falls back to its fixed guess for a LIKE
  // pattern (a few rows), so every query below stays within kExactTextCountLimit by estimate
  // and the default total is counted with the page, whatever the real number of matches.
  f.Query("ALTER TABLE users ALTER COLUMN search_text SET STATISTICS 0");
  REQUIRE(testing::SeedUsers(f.pool(), {.count = 3'000, .deleted_every = 50}).ok());
  // "@m<n>.test" matches exactly n listed users, and n / 2 + 1 deleted ones that must not count.
  int64_t first_index = 100'000;
  for (int64_t n : {1, 25, 26, 1'000}) {
    const std::string domain = absl::StrCat("m", n, ".test");
    REQUIRE(testing::SeedUsers(
                f.pool(),
                {.count = n, .first_index = first_index, .email_domain = domain, .analyze = false})
                .ok());
    REQUIRE(testing::SeedUsers(f.pool(), {.count = n / 2 + 1,
                                          .first_index = first_index + n,
                                          .email_domain = domain,
                                          .deleted_every = 1,
                                          .analyze = false})
                .ok());
    first_index += 2 * n + 1;
  }
  // SQL and LIKE syntax in a query is text to find, not syntax.
  std::string literal = f.CreateUser("promo", AdminActor()).id;
  f.Query("UPDATE users SET display_name = '50%_off''; DROP TABLE users; --' WHERE id = $1",
          {literal});
  f.Query("UPDATE users SET display_name = '50ab_off' WHERE email = 'user7@example.com'");
  f.Query("ANALYZE users");

  struct Case {
    std::string query;
    int64_t matches;  // -1: more than kExactTextCountLimit
  };
  for (const Case& c : std::vector<Case>{{"@m0.test", 0},
                                         {"@m1.test", 1},
                                         {"@M25.TEST", 25},
                                         {"@m26.test", 26},
                                         {"@m1000.test", 1'000},
                                         {"50%_off", 1},  // as wildcards, also "50ab_off"
                                         {"50%_off'; drop table", 1},
                                         {"_off", 2},
                                         {"%_o", 1},
                                         {"user1", -1}}) {
    const std::vector<std::string> expected = MatchingIds(f, c.query);
    const int64_t count = static_cast<int64_t>(expected.size());
    if (c.matches >= 0) {
      REQUIRE(count == c.matches);
    } else {
      REQUIRE(count > kExactTextCountLimit);
    }
    for (TotalCountMode mode : {TotalCountMode::kDefault, TotalCountMode::kExact}) {
      INFO(c.query << (mode == TotalCountMode::kExact ? " exact" : " default") << ", " << count
                   << " matches");
      ListUsersPage page =
          ListOk(f.store(), {.page_size = 25, .total_count_mode = mode, .query = c.query});
      std::vector<std::string> first(expected.begin(),
                                     expected.begin() + std::min<size_t>(25, expected.size()));
      CHECK(Ids(page.users) == first);
      CHECK(page.next_page_token.empty() == (count <= 25));
      if (mode == TotalCountMode::kDefault && count > kExactTextCountLimit) {
        // Counted with the page, and found beyond the limit: an estimate of at least limit + 1.
        CHECK(page.total_is_estimate);
        CHECK(page.total_size > kExactTextCountLimit);
      } else {
        CHECK(page.total_size == count);
        CHECK_FALSE(page.total_is_estimate);
      }
      // The same total from an offset inside the list, and from one past its end (an empty page
      // carries no count, so it is counted apart).
      for (int32_t offset : {10, 2'000}) {
        ListUsersPage shifted =
            ListOk(f.store(),
                   {.page_size = 25, .offset = offset, .total_count_mode = mode, .query = c.query});
        std::vector<std::string> rest;
        for (size_t i = offset; i < expected.size() && rest.size() < 25; ++i) {
          rest.push_back(expected[i]);
        }
        CHECK(Ids(shifted.users) == rest);
        if (mode == TotalCountMode::kDefault && count > kExactTextCountLimit) {
          CHECK(shifted.total_is_estimate);
        } else {
          CHECK(shifted.total_size == count);
          CHECK_FALSE(shifted.total_is_estimate);
        }
      }
      // A later page reports the first page's total (default) or counts again (exact).
      if (!page.next_page_token.empty()) {
        ListUsersPage second = ListOk(f.store(), {.page_size = 25,
                                                  .page_token = page.next_page_token,
                                                  .total_count_mode = mode,
                                                  .query = c.query});
        CHECK(second.total_size == page.total_size);
        CHECK(second.users.front().id == expected[25]);
      }
    }
  }
  // Two sort keys in mixed directions: the count's window is ordered like the page.
  ListUsersPage mixed = ListOk(f.store(), {.page_size = 10,
                                           .query = "@m26.test",
                                           .order_by = {{"display_name", SortDirection::kDesc},
                                                        {"create_time", SortDirection::kAsc}}});
  CHECK(mixed.total_size == 26);
  CHECK_FALSE(mixed.total_is_estimate);
  CHECK(Ids(mixed.users) ==
        QueryIds(f,
                 "SELECT id::text FROM users WHERE email LIKE '%@m26.test' AND status <> "
                 "'deleted' ORDER BY display_name DESC, created_at ASC, id ASC LIMIT 10"));
}

}  // namespace
}  // namespace backoffice::users
