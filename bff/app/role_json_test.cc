// Unit tests of the roles REST API's mapping (bff/app/role_json) and the route helpers it shares
// with the users routes (bff/app/route_support): records, write bodies, list queries.
#include "bff/app/role_json.h"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "bff/app/route_support.h"
#include "bff/http/problem.h"

namespace backoffice::bff::app {
namespace {

namespace json = boost::json;

http::ListQuery Parse(const std::string& query, const http::ListQuerySpec& spec) {
  absl::StatusOr<http::ListQuery> parsed = http::ParseListQuery(query, "", spec);
  INFO(query << ": " << parsed.status());
  REQUIRE(parsed.ok());
  return *parsed;
}

// The field the first field error names, or "".
std::string ErrorField(const absl::Status& status) {
  auto errors = http::FieldErrorsOf(status);
  return errors.empty() ? "" : errors.front().first;
}

roles::v1::UserRole Held(const std::string& grant_id, const std::string& name, int64_t created,
                         int64_t expires) {
  roles::v1::UserRole held;
  held.mutable_grant()->set_id(grant_id);
  held.mutable_grant()->set_role_id("role-" + name);
  held.mutable_grant()->mutable_create_time()->set_seconds(created);
  if (expires > 0) {
    held.mutable_grant()->mutable_expire_time()->set_seconds(expires);
  }
  held.mutable_role()->set_name(name);
  return held;
}

std::vector<std::string> Names(const json::array& rows) {
  std::vector<std::string> names;
  for (const json::value& row : rows) {
    names.emplace_back(row.at("name").as_string());
  }
  return names;
}

TEST_CASE("roles, grants and permissions are camelCase records with id", "[roles]") {
  roles::v1::Role role;
  role.set_id("0192f1c4-1e2d-7a3b-8c4d-5e6f7a8b9c0d");
  role.set_name("support");
  role.set_display_name("Support");
  role.add_permissions("users:read");
  role.add_parent_role_ids("0192f1c4-0000-7000-8000-000000000001");
  role.set_member_count(3);
  role.mutable_create_time()->set_seconds(1'700'000'000);
  role.set_etag("v7");
  json::object out = RoleToJson(role);
  CHECK(out.at("id") == "0192f1c4-1e2d-7a3b-8c4d-5e6f7a8b9c0d");
  CHECK(out.at("displayName") == "Support");
  CHECK(out.at("permissions") == json::array{"users:read"});
  CHECK(out.at("parentRoleIds") == json::array{"0192f1c4-0000-7000-8000-000000000001"});
  CHECK(out.at("memberCount") == 3);
  CHECK(out.at("system") == false);
  CHECK(out.at("createTime") == "2023-11-14T22:13:20+00:00");
  CHECK(out.at("updateTime").is_null());
  CHECK(out.at("etag") == "v7");

  roles::v1::Permission permission;
  permission.set_name("users:read");
  permission.set_service("platform");
  CHECK(PermissionToJson(permission).at("id") == "users:read");

  roles::v1::RoleGrant grant;
  grant.set_id("g1");
  grant.set_user_id("u1");
  json::object member = MemberToJson(grant, nullptr);
  CHECK(member.at("id") == "g1");
  CHECK(member.at("email").is_null());
  CHECK(member.at("displayName").is_null());
  CHECK(member.at("expireTime").is_null());
  users::v1::User user;
  user.set_email("ann@example.com");
  CHECK(MemberToJson(grant, &user).at("email") == "ann@example.com");

  json::object held = UserRoleToJson(Held("g2", "viewer", 1, 0));
  CHECK(held.at("id") == "g2");
  CHECK(held.at("roleId") == "role-viewer");
  CHECK(held.at("name") == "viewer");
  CHECK(held.at("expired") == false);
}

TEST_CASE("role bodies fill the role and the update mask", "[roles]") {
  json::object body =
      json::parse(R"({"displayName":"X","permissions":["a:b","c:d"],"description":null})")
          .as_object();
  REQUIRE(http::CheckJsonObject(body, RoleUpdateSchema()).ok());
  roles::v1::Role role;
  role.set_description("old");
  CHECK(FillRole(body, role) ==
        std::vector<std::string>{"display_name", "description", "permissions"});
  CHECK(role.display_name() == "X");
  CHECK(role.description().empty());
  CHECK(role.permissions_size() == 2);

  CHECK_FALSE(http::CheckJsonObject(json::parse(R"({"displayName":"x"})").as_object(),
                                    RoleCreateSchema())
                  .ok());  // name is required
  absl::Status typed = http::CheckJsonObject(
      json::parse(R"({"name":"x","permissions":[1]})").as_object(), RoleCreateSchema());
  CHECK(ErrorField(typed) == "permissions");
  absl::Status unknown = http::CheckJsonObject(
      json::parse(R"({"name":"x","wildcard":true})").as_object(), RoleCreateSchema());
  CHECK(ErrorField(unknown) == "wildcard");
  // react-admin sends the whole record back: read-only members pass.
  CHECK(http::CheckJsonObject(
            json::parse(R"({"name":"x","id":"i","system":false,"memberCount":0,"etag":"e"})")
                .as_object(),
            RoleCreateSchema())
            .ok());
}

TEST_CASE("grant bodies", "[roles]") {
  roles::v1::GrantRoleRequest grant;
  json::object body =
      json::parse(R"({"roleId":"r","expireTime":"2031-02-03T04:05:06Z","reason":"on call"})")
          .as_object();
  REQUIRE(http::CheckJsonObject(body, GrantSchema()).ok());
  REQUIRE(FillGrant(body, "u", grant).ok());
  CHECK(grant.user_id() == "u");
  CHECK(grant.role_id() == "r");
  CHECK(grant.expire_time().seconds() == 1927857906);
  CHECK(grant.reason() == "on call");

  roles::v1::GrantRoleRequest bad;
  CHECK(ErrorField(FillGrant(json::parse(R"({"roleId":"r","expireTime":"tomorrow"})").as_object(),
                             "u", bad)) == "expireTime");
  CHECK(ErrorField(FillGrant(json::parse(R"({"roleId":"r","userId":"other"})").as_object(), "u",
                             bad)) == "userId");
  CHECK(ErrorField(http::CheckJsonObject(json::parse(R"({"reason":"x"})").as_object(),
                                         GrantSchema())) == "roleId");
}

TEST_CASE("roles list queries map onto ListRoles", "[roles]") {
  roles::v1::ListRolesRequest list;
  REQUIRE(ApplyRolesQuery(Parse("_start=10&_end=20&_sort=name&_order=DESC&id=a&id=b&system=false"
                                "&permission=users:read&q=sup",
                                RolesListSpec()),
                          list)
              .ok());
  CHECK(list.ids_size() == 2);
  CHECK(list.kind() == roles::v1::ROLE_KIND_CUSTOM);
  CHECK(list.permission() == "users:read");
  CHECK(list.query() == "sup");
  CHECK(list.order_by(0).field() == "name");
  CHECK(list.order_by(0).direction() == common::v1::SORT_DIRECTION_DESC);
  CHECK(list.page().offset() == 10);
  CHECK(list.page().page_size() == 10);

  roles::v1::ListRolesRequest other;
  CHECK(ErrorField(ApplyRolesQuery(Parse("system=maybe", RolesListSpec()), other)) == "system");
  CHECK(ErrorField(ApplyRolesQuery(Parse("permission_like=x", RolesListSpec()), other)) ==
        "permission_like");
  CHECK(ErrorField(http::ParseListQuery("_sort=createTime", "", RolesListSpec()).status()) ==
        "_sort");
}

TEST_CASE("catalog, members and user-roles queries", "[roles]") {
  roles::v1::ListPermissionsRequest catalog;
  REQUIRE(ApplyPermissionsQuery(
              Parse("_start=40&_end=60&service=users&q=read", PermissionsListSpec()), catalog)
              .ok());
  CHECK(catalog.page().page_size() == 60);  // offset + limit, sliced by the route
  CHECK(catalog.page().offset() == 0);
  CHECK(catalog.service() == "users");
  CHECK(catalog.query() == "read");
  roles::v1::ListPermissionsRequest deep;
  CHECK(ErrorField(ApplyPermissionsQuery(Parse("_start=490&_end=520", PermissionsListSpec()),
                                         deep)) == "_start");
  CHECK(ErrorField(ApplyPermissionsQuery(Parse("_sort=name&_order=DESC", PermissionsListSpec()),
                                         deep)) == "_sort");
  roles::v1::ListPermissionsRequest cursor;
  REQUIRE(ApplyPermissionsQuery(Parse("cursor=abc&limit=5", PermissionsListSpec()), cursor).ok());
  CHECK(cursor.page().page_token() == "abc");
  CHECK(cursor.page().page_size() == 5);

  roles::v1::ListRoleMembersRequest members;
  REQUIRE(ApplyMembersQuery(Parse("_sort=id&_order=ASC&includeInherited=true", MembersListSpec()),
                            members)
              .ok());
  CHECK(members.include_inherited());
  CHECK_FALSE(members.include_expired());
  CHECK(members.order_by(0).field() == "create_time");
  CHECK(members.order_by(0).direction() == common::v1::SORT_DIRECTION_ASC);
  CHECK(ErrorField(ApplyMembersQuery(Parse("includeExpired=yes", MembersListSpec()), members)) ==
        "includeExpired");

  std::vector<roles::v1::UserRole> held = {
      Held("g3", "Viewer", 30, 0), Held("g1", "admin", 10, 500), Held("g2", "ops", 20, 100)};
  absl::StatusOr<json::array> by_name = UserRolesPage(Parse("", UserRolesListSpec()), held);
  REQUIRE(by_name.ok());
  CHECK(Names(*by_name) == std::vector<std::string>{"Viewer", "admin", "ops"});  // as served
  absl::StatusOr<json::array> sorted =
      UserRolesPage(Parse("_sort=name&_order=ASC", UserRolesListSpec()), held);
  CHECK(Names(*sorted) == std::vector<std::string>{"admin", "ops", "Viewer"});
  absl::StatusOr<json::array> expiring = UserRolesPage(
      Parse("_sort=expireTime&_order=ASC&_start=1&_end=3", UserRolesListSpec()), held);
  CHECK(Names(*expiring) == std::vector<std::string>{"admin", "Viewer"});  // never expires: last
  absl::StatusOr<json::array> newest = UserRolesPage(
      Parse("_sort=createTime&_order=DESC&_start=0&_end=1", UserRolesListSpec()), held);
  CHECK(Names(*newest) == std::vector<std::string>{"Viewer"});
  CHECK(ErrorField(UserRolesPage(Parse("cursor=x", UserRolesListSpec()), held).status()) ==
        "cursor");
  constexpr char kUser[] = "01900000-0000-7000-8000-0000000000aa";
  auto filter = [&](const std::string& query) {
    return UserRolesFilterOf(Parse(query, UserRolesListSpec()), kUser);
  };
  CHECK(filter("includeExpired=true")->include_expired);
  CHECK_FALSE(filter("")->include_expired);
  CHECK_FALSE(filter("")->matches_none);
  // react-admin's getManyReference with target userId: the path's user (any case) or nobody.
  CHECK_FALSE(filter(absl::StrCat("userId=", kUser))->matches_none);
  CHECK_FALSE(filter("userId=01900000-0000-7000-8000-0000000000AA")->matches_none);
  CHECK(filter("userId=01900000-0000-7000-8000-0000000000bb")->matches_none);
  CHECK_FALSE(filter(absl::StrCat("filter=", R"({"userId":")", kUser, "\"}"))->matches_none);
  CHECK(ErrorField(filter("userId_ne=x").status()) == "userId_ne");
  CHECK(ErrorField(filter("includeExpired=maybe").status()) == "includeExpired");
}

TEST_CASE("query options of non-list routes are strict", "[routes]") {
  absl::StatusOr<std::map<std::string, std::string>> options =
      ReadQueryOptions("reason=left+the%20team", {"reason"});
  REQUIRE(options.ok());
  CHECK(options->at("reason") == "left the team");
  CHECK(ErrorField(ReadQueryOptions("force=true&purge=1", {"force"}).status()) == "purge");
  CHECK(ErrorField(ReadQueryOptions("force=true&force=false", {"force"}).status()) == "force");
  CHECK_FALSE(ReadQueryOptions("reason=%zz", {"reason"}).ok());
  absl::StatusOr<std::map<std::string, std::string>> force =
      ReadQueryOptions("force=true", {"force"});
  CHECK(*BoolOption(*force, "force", false));
  CHECK_FALSE(*BoolOption({}, "force", false));
  CHECK(ErrorField(BoolOption({{"force", "1"}}, "force", false).status()) == "force");

  http::HttpRequest request;
  request.headers.Add("if-match", " W/\"abc\" ");
  CHECK(IfMatch(request) == "abc");
  http::HttpRequest any;
  any.headers.Add("if-match", "*");
  CHECK(IfMatch(any).empty());
  http::HttpResponse stale = WriteProblem(request, absl::AbortedError("stale"), true);
  CHECK(stale.status == 412);
  CHECK(WriteProblem(request, absl::AbortedError("stale"), false).status == 409);
}

}  // namespace
}  // namespace backoffice::bff::app
