#include "services/users/store/list_query.h"

#include <catch2/catch.hpp>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"

namespace backoffice::users {
namespace {

ListSpec Spec(const ListUsersRequest& request) {
  absl::StatusOr<ListSpec> spec = MakeListSpec(request);
  INFO(spec.status().ToString());
  REQUIRE(spec.ok());
  return *std::move(spec);
}

TEST_CASE("LIKE patterns escape wildcards and the escape character") {
  CHECK(LikePattern("ann", false) == "%ann%");
  CHECK(LikePattern("an", true) == "an%");
  CHECK(LikePattern("100%_\\x", false) == "%100\\%\\_\\\\x%");
}

TEST_CASE("statements hold parameters, never the input text") {
  const std::string hostile = "x'); DROP TABLE users; --";
  ListSpec spec = Spec({.query = hostile,
                        .statuses = {UserStatus::kDeleted},
                        .create_time_start = absl::FromUnixSeconds(1),
                        .ids = {"0190b5f2-7c1e-7d3a-9f00-0123456789ab"},
                        .order_by = {{"email", SortDirection::kDesc}}});
  PagePosition after{.values = {hostile}, .id = "0190b5f2-7c1e-7d3a-9f00-0123456789ab"};
  for (const Statement& statement :
       {BuildPageQuery(spec, after, 51, 0), BuildCountedPageQuery(spec, 51, 0),
        BuildCountQuery(spec, 10'001), BuildCountQuery(spec, std::nullopt),
        BuildEstimateQuery(spec)}) {
    INFO(statement.sql);
    CHECK_FALSE(absl::StrContains(statement.sql, "DROP"));
    CHECK_FALSE(absl::StrContains(statement.sql, "0190b5f2"));
    CHECK(absl::StrContains(statement.sql, "$1"));
  }
  Statement page = BuildPageQuery(spec, after, 51, 0);
  CHECK(absl::StrContains(page.sql, "ORDER BY lower(email) DESC, id DESC"));
  CHECK(absl::StrContains(page.sql, "(lower(email), id) < ($"));
  CHECK(page.params.size() == 8);  // query, statuses, start, ids, key, id, limit, offset
}

TEST_CASE("a query filter reads the stored search column and picks the page from users") {
  ListSpec spec = Spec({.query = "Ann", .order_by = {{"email"}, {"create_time"}}});
  Statement page = BuildPageQuery(spec, std::nullopt, 26, 0);
  INFO(page.sql);
  CHECK(absl::StrContains(page.sql, "search_text LIKE lower($1::text)"));
  CHECK(absl::StrContains(page.sql,
                          "FROM (SELECT id, lower(email) AS sort_key_0, created_at AS sort_key_1 "
                          "FROM users WHERE "));
  CHECK(absl::StrContains(page.sql, "ORDER BY lower(email) ASC, created_at DESC, id DESC LIMIT"));
  CHECK(absl::StrContains(page.sql,
                          ") AS m JOIN user_view v ON v.id = m.id ORDER BY "
                          "m.sort_key_0 ASC, m.sort_key_1 DESC, m.id DESC"));
  CHECK_FALSE(absl::StrContains(page.sql, "matching_count"));
  CHECK(page.params.size() == 3);  // pattern, limit, offset

  Statement counted = BuildCountedPageQuery(spec, 26, 0);
  INFO(counted.sql);
  CHECK(absl::StrContains(counted.sql,
                          "FROM (SELECT * FROM (SELECT id, lower(email) AS sort_key_0, created_at "
                          "AS sort_key_1, count(*) OVER (ORDER BY lower(email) ASC, created_at "
                          "DESC, id DESC ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) "
                          "AS matching_count FROM users WHERE "));
  CHECK(absl::StrContains(counted.sql,
                          ") AS matches ORDER BY sort_key_0 ASC, sort_key_1 DESC, "
                          "id DESC LIMIT $2 OFFSET $3) AS m JOIN user_view v"));
  CHECK(absl::StrContains(counted.sql, "SELECT v.*, m.sort_key_0, m.sort_key_1, m.matching_count"));
  CHECK(counted.params.size() == 3);

  // Short queries: two prefix patterns on the same column.
  Statement prefix = BuildPageQuery(Spec({.query = "An"}), std::nullopt, 26, 0);
  CHECK(absl::StrContains(
      prefix.sql, "(search_text LIKE lower($1::text) OR search_text LIKE lower($2::text))"));
  // Without a query the page is read straight from user_view (a keyset index walk).
  Statement plain = BuildPageQuery(Spec({}), std::nullopt, 26, 0);
  CHECK(absl::StartsWith(plain.sql, "SELECT *, created_at AS sort_key_0 FROM user_view WHERE "));
  CHECK_FALSE(absl::StrContains(plain.sql, "search_text"));
}

TEST_CASE("mixed directions expand the keyset condition") {
  ListSpec spec = Spec({.order_by = {{"status", SortDirection::kAsc}, {"create_time"}}});
  PagePosition after{.values = {std::string("active"), absl::FromUnixSeconds(5)},
                     .id = "0190b5f2-7c1e-7d3a-9f00-0123456789ab"};
  Statement page = BuildPageQuery(spec, after, 11, 0);
  CHECK(absl::StrContains(page.sql, "ORDER BY status ASC, created_at DESC, id DESC"));
  CHECK(absl::StrContains(page.sql,
                          "(status > $1::text OR (status = $1::text AND "
                          "(created_at < $2::timestamptz OR (created_at = "
                          "$2::timestamptz AND id < $3::uuid))))"));
}

TEST_CASE("the binding changes with every filter and sort, not with paging") {
  std::string base = ListBinding(Spec({.query = "ann"}));
  CHECK(ListBinding(Spec({.page_size = 7, .page_token = "t", .offset = 3, .query = "ann"})) ==
        base);
  CHECK(ListBinding(Spec({.query = "anne"})) != base);
  CHECK(ListBinding(Spec({.query = "ann", .statuses = {UserStatus::kDeleted}})) != base);
  CHECK(ListBinding(Spec({.query = "ann", .create_time_end = absl::FromUnixSeconds(9)})) != base);
  CHECK(ListBinding(Spec({.query = "ann", .ids = {"0190b5f2-7c1e-7d3a-9f00-0123456789ab"}})) !=
        base);
  CHECK(ListBinding(Spec({.query = "ann", .order_by = {{"create_time", SortDirection::kAsc}}})) !=
        base);
  // Equivalent requests bind alike: default statuses, default sort, id order and case.
  CHECK(ListBinding(Spec({.query = "ann",
                          .statuses = {UserStatus::kDisabled, UserStatus::kActive},
                          .order_by = {{"create_time", SortDirection::kDesc}}})) == base);
  CHECK(ListBinding(Spec({.ids = {"0190B5F2-7C1E-7D3A-9F00-0123456789AB"}})) ==
        ListBinding(Spec({.ids = {"0190b5f2-7c1e-7d3a-9f00-0123456789ab"}})));
}

TEST_CASE("page tokens round-trip and refuse tampering, other bindings and old age") {
  PagePosition position{
      .values = {absl::FromUnixMicros(1'700'000'000'123'456), std::string("Zoë \"Z\" O'Neil")},
      .id = "0190b5f2-7c1e-7d3a-9f00-0123456789ab"};
  absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  std::string token = EncodePageToken(position, "bind", now + absl::Hours(24));
  absl::StatusOr<PagePosition> decoded = DecodePageToken(token, "bind", {true, false}, now);
  INFO(decoded.status().ToString());
  REQUIRE(decoded.ok());
  CHECK(*decoded == position);

  PagePosition never{.values = {absl::InfinitePast()}, .id = position.id};
  absl::StatusOr<PagePosition> infinite =
      DecodePageToken(EncodePageToken(never, "b", now + absl::Hours(1)), "b", {true}, now);
  REQUIRE(infinite.ok());
  CHECK(*infinite == never);

  auto refused = [&](const std::string& t, const std::vector<bool>& kinds, absl::Time at) {
    absl::StatusOr<PagePosition> result = DecodePageToken(t, "bind", kinds, at);
    return !result.ok() && result.status().code() == absl::StatusCode::kInvalidArgument &&
           absl::StartsWith(result.status().message(), "page.page_token: ");
  };
  CHECK(refused(token, {true}, now));                           // shape does not fit the sort
  CHECK(refused(token, {false, false}, now));                   // a time where text is expected
  CHECK(refused(token, {true, false}, now + absl::Hours(24)));  // expired
  CHECK(absl::StrContains(DecodePageToken(token, "other", {true, false}, now).status().message(),
                          "other filters"));
  auto encode = [](const std::string& json) {
    std::string out;
    absl::WebSafeBase64Escape(json, &out);
    return out;
  };
  CHECK(refused(encode(R"({"v":1,"b":"bind","x":1900000000,"k":[1,"a"],"i":"nope"})"),
                {true, false}, now));
  CHECK(refused(encode(R"({"v":1,"b":"bind","x":1900000000,"k":[1.5,"a"],)"
                       R"("i":"0190b5f2-7c1e-7d3a-9f00-0123456789ab"})"),
                {true, false}, now));
  CHECK(refused(encode(R"([1,2,3])"), {true, false}, now));
  CHECK(refused("@@@", {true, false}, now));
  CHECK(refused(std::string(kMaxPageTokenBytes + 1, 'A'), {true, false}, now));
}

TEST_CASE("page tokens carry the first page's total, and refuse a malformed one") {
  PagePosition position{.values = {absl::FromUnixMicros(1'700'000'000'123'456)},
                        .id = "0190b5f2-7c1e-7d3a-9f00-0123456789ab"};
  absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  for (const PageTotal& total : {PageTotal{17'839, true}, PageTotal{0, false}}) {
    PageTotal carried{-7, true};
    absl::StatusOr<PagePosition> decoded =
        DecodePageToken(EncodePageToken(position, "bind", now + absl::Hours(1), total), "bind",
                        {true}, now, &carried);
    REQUIRE(decoded.ok());
    CHECK(*decoded == position);
    CHECK(carried == total);
  }
  // Not counted (-1): the token carries no total, and decoding reports none.
  PageTotal carried{5, true};
  REQUIRE(DecodePageToken(EncodePageToken(position, "bind", now + absl::Hours(1), {}), "bind",
                          {true}, now, &carried)
              .ok());
  CHECK(carried == PageTotal{});

  auto encode = [](const std::string& json) {
    std::string out;
    absl::WebSafeBase64Escape(json, &out);
    return out;
  };
  const std::string head =
      R"({"v":1,"b":"bind","x":1900000000,"k":[1],"i":"0190b5f2-7c1e-7d3a-9f00-0123456789ab")";
  CHECK(DecodePageToken(encode(head + R"(,"t":3,"te":false})"), "bind", {true}, now).ok());
  for (const char* tail :
       {R"(,"t":-1,"te":false})", R"(,"t":1.5,"te":false})", R"(,"t":"3","te":false})",
        R"(,"t":3,"te":1})", R"(,"t":3})", R"(,"te":true})"}) {
    absl::StatusOr<PagePosition> result =
        DecodePageToken(encode(head + tail), "bind", {true}, now, &carried);
    INFO(tail);
    CHECK(result.status().code() == absl::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("spec validation names fields") {
  auto error = [](const ListUsersRequest& request) {
    return std::string(MakeListSpec(request).status().message());
  };
  CHECK(absl::StartsWith(error({.order_by = {{"Email"}}}), "order_by[0].field: "));
  CHECK(absl::StartsWith(error({.query = std::string(201, 'a')}), "query: "));
  std::string two_hundred;
  for (int i = 0; i < 200; ++i) two_hundred += "\xc3\xa9";
  CHECK(MakeListSpec({.query = two_hundred}).ok());
}

}  // namespace
}  // namespace backoffice::users
