// End-to-end: the BFF's roles routes (/api/permissions, /api/roles, /api/users/{id}/roles) over
// real HTTP against the real users, roles and bff binaries on a fresh database.
#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bff/it/e2e_support.h"
#include "bff/it/stack.h"

namespace backoffice::bff::it {
namespace {

namespace json = boost::json;
using bff::testing::TestResponse;

constexpr char kUnknownId[] = "01900000-0000-7000-8000-00000000dead";

// Creates a role and returns its record.
json::value CreateRole(Client& api, const std::string& body) {
  TestResponse created = api.Call("POST", "/api/roles", body);
  INFO(created.body);
  REQUIRE(created.status == 201);
  return Json(created);
}

json::value CreateUser(Client& api, const std::string& email, const std::string& extra = "") {
  TestResponse created = api.Call(
      "POST", "/api/users",
      absl::StrCat(R"({"email":")", email, R"(","displayName":"User )", email, "\"", extra, "}"));
  INFO(created.body);
  REQUIRE(created.status == 201);
  return Json(created);
}

// The id of a system role by name (admin, operator, viewer).
std::string SystemRoleId(Client& api, const std::string& name) {
  TestResponse system = api.Call("GET", "/api/roles?system=true&_sort=name&_order=ASC");
  REQUIRE(system.status == 200);
  json::value roles = Json(system);
  for (const json::value& role : roles.as_array()) {
    if (Str(role, "name") == name) {
      return Str(role, "id");
    }
  }
  FAIL("no system role " << name);
  return "";
}

TEST_CASE("a custom role's create, read, update and delete with etags", "[roles]") {
  Stack& stack = SharedStack();
  Client api(stack.bff_port());
  api.bearer = AdminToken(stack.bff_port());

  TestResponse created =
      api.Call("POST", "/api/roles",
               R"({"name":"e2e-support","displayName":"Support","description":"Tickets",)"
               R"("permissions":["users:read","sessions:read"]})",
               {{"Idempotency-Key", "role-key-1"}});
  INFO(created.body);
  REQUIRE(created.status == 201);
  json::value role = Json(created);
  std::string id = Str(role, "id");
  CHECK(created.Header("location") == "/api/roles/" + id);
  CHECK(created.Header("etag") == "\"" + Str(role, "etag") + "\"");
  CHECK(role.at("permissions") == json::array{"sessions:read", "users:read"});  // sorted
  CHECK(role.at("parentRoleIds") == json::array{});
  CHECK(role.at("system") == false);
  CHECK(role.at("memberCount") == 0);
  CHECK(role.at("createTime").is_string());
  // A retry with the same Idempotency-Key answers the first record, as POST /api/users does; the
  // key with another body is refused, and so is the name without a key.
  TestResponse retried =
      api.Call("POST", "/api/roles",
               R"({"name":"e2e-support","displayName":"Support","description":"Tickets",)"
               R"("permissions":["sessions:read","users:read"]})",
               {{"Idempotency-Key", "role-key-1"}});
  INFO(retried.body);
  CHECK(retried.status == 201);
  CHECK(Str(Json(retried), "id") == id);
  CHECK(retried.Header("etag") == created.Header("etag"));
  TestResponse reused = api.Call("POST", "/api/roles", R"({"name":"e2e-other"})",
                                 {{"Idempotency-Key", "role-key-1"}});
  CHECK(reused.status == 409);
  CHECK(absl::StrContains(reused.body, "request_id"));
  CHECK(api.Call("POST", "/api/roles", R"({"name":"E2E-SUPPORT"})").status == 409);
  TestResponse long_key = api.Call("POST", "/api/roles", R"({"name":"e2e-long-key"})",
                                   {{"Idempotency-Key", std::string(129, 'k')}});
  CHECK(long_key.status == 400);
  CHECK(HasError(long_key, "Idempotency-Key"));

  TestResponse got = api.Call("GET", "/api/roles/" + id);
  REQUIRE(got.status == 200);
  CHECK(got.Header("etag") == created.Header("etag"));
  CHECK(Str(Json(got), "displayName") == "Support");

  // PATCH with the current If-Match changes only what was sent; the old etag is then 412.
  std::string etag = created.Header("etag");
  TestResponse patched = api.Call("PATCH", "/api/roles/" + id,
                                  R"({"description":"Tickets and unlocks"})", {{"If-Match", etag}});
  INFO(patched.body);
  REQUIRE(patched.status == 200);
  CHECK(Str(Json(patched), "description") == "Tickets and unlocks");
  CHECK(Json(patched).at("permissions") == json::array{"sessions:read", "users:read"});
  CHECK(patched.Header("etag") != etag);
  TestResponse stale =
      api.Call("PATCH", "/api/roles/" + id, R"({"description":"Stale"})", {{"If-Match", etag}});
  CHECK(stale.status == 412);
  CHECK(stale.Header("content-type") == "application/problem+json");

  // PUT sends the whole record back, read-only members included, with its etag in the body.
  json::object record = Json(patched).as_object();
  record["permissions"] = json::array{"users:read", "users:unlock"};
  record["displayName"] = "Support desk";
  TestResponse put = api.Call("PUT", "/api/roles/" + id, json::serialize(record));
  INFO(put.body);
  REQUIRE(put.status == 200);
  CHECK(Json(put).at("permissions") == json::array{"users:read", "users:unlock"});
  CHECK(Str(Json(put), "displayName") == "Support desk");
  CHECK(api.Call("PUT", "/api/roles/" + id, json::serialize(record)).status == 409);  // stale
  CHECK(
      api.Call("PATCH", "/api/roles/" + id, R"({"id":"someone-else","description":"x"})").status ==
      400);
  CHECK(api.Call("PATCH", "/api/roles/" + id, R"({"memberCount":7})").status == 400);  // nothing

  // DELETE: a stale If-Match is refused; then the deleted record comes back and the role is gone.
  CHECK(api.Call("DELETE", "/api/roles/" + id, "", {{"If-Match", etag}}).status == 412);
  TestResponse deleted =
      api.Call("DELETE", "/api/roles/" + id, "", {{"If-Match", put.Header("etag")}});
  INFO(deleted.body);
  REQUIRE(deleted.status == 200);
  CHECK(Str(Json(deleted), "id") == id);
  CHECK(Str(Json(deleted), "name") == "e2e-support");
  CHECK(api.Call("GET", "/api/roles/" + id).status == 404);
}

TEST_CASE("roles and the catalog speak every list dialect with their headers", "[roles]") {
  Stack& stack = SharedStack();
  Client api(stack.bff_port());
  api.bearer = AdminToken(stack.bff_port());
  std::vector<std::string> ids;
  for (const char* name : {"e2e-list-b", "e2e-list-c", "e2e-list-a"}) {
    ids.push_back(Str(
        CreateRole(api, absl::StrCat(R"({"name":")", name, R"(","permissions":["audit:read"]})")),
        "id"));
  }

  // ra-data-json-server.
  TestResponse json_server =
      api.Call("GET", "/api/roles?_start=0&_end=2&_sort=name&_order=DESC&q=e2e-list");
  INFO(json_server.body);
  REQUIRE(json_server.status == 200);
  CHECK(Column(json_server, "name") == std::vector<std::string>{"e2e-list-c", "e2e-list-b"});
  CHECK(json_server.Header("x-total-count") == "3");
  CHECK(json_server.Header("content-range") == "items 0-1/3");

  // ra-data-simple-rest, with the range in the query and in a Range header.
  TestResponse simple = api.Call("GET",
                                 "/api/roles?range=%5B1%2C2%5D&sort=%5B%22name%22%2C%22ASC%22%5D"
                                 "&filter=%7B%22q%22%3A%22e2e-list%22%7D");
  INFO(simple.body);
  REQUIRE(simple.status == 200);
  CHECK(Column(simple, "name") == std::vector<std::string>{"e2e-list-b", "e2e-list-c"});
  CHECK(simple.Header("content-range") == "items 1-2/3");
  TestResponse ranged = api.Call("GET", "/api/roles?q=e2e-list", "", {{"Range", "items=0-0"}});
  CHECK(Column(ranged, "name") == std::vector<std::string>{"e2e-list-a"});
  CHECK(ranged.Header("content-range") == "items 0-0/3");

  // refine: ids, and the other filters.
  TestResponse by_id =
      api.Call("GET", absl::StrCat("/api/roles?_start=0&_end=10&id=", ids[0], "&id=", ids[1]));
  CHECK(Column(by_id, "name") == std::vector<std::string>{"e2e-list-b", "e2e-list-c"});
  CHECK(by_id.Header("x-total-count") == "2");
  TestResponse system = api.Call("GET", "/api/roles?system=true");
  CHECK(Column(system, "name") == std::vector<std::string>{"admin", "operator", "viewer"});
  TestResponse holding = api.Call("GET", "/api/roles?permission=audit:read&system=false");
  CHECK(Column(holding, "name") ==
        std::vector<std::string>{"e2e-list-a", "e2e-list-b", "e2e-list-c"});

  // cursor/limit.
  TestResponse first = api.Call("GET", "/api/roles?q=e2e-list&limit=2");
  REQUIRE(first.status == 200);
  CHECK(Column(first, "name") == std::vector<std::string>{"e2e-list-a", "e2e-list-b"});
  std::string cursor = first.Header("x-next-cursor");
  REQUIRE_FALSE(cursor.empty());
  TestResponse next = api.Call("GET", "/api/roles?q=e2e-list&limit=2&cursor=" + cursor);
  CHECK(Column(next, "name") == std::vector<std::string>{"e2e-list-c"});
  CHECK(next.Header("x-next-cursor").empty());

  // Bad list requests are 400 problems naming the parameter.
  TestResponse bad_sort = api.Call("GET", "/api/roles?_sort=createTime");
  CHECK(bad_sort.status == 400);
  CHECK(HasError(bad_sort, "_sort"));
  TestResponse bad_filter = api.Call("GET", "/api/roles?system=maybe");
  CHECK(bad_filter.status == 400);
  CHECK(HasError(bad_filter, "system"));
  CHECK(HasError(api.Call("GET", "/api/roles?name=x"), "name"));

  // The catalog: by name, with totals; offsets and cursors give the same pages.
  TestResponse catalog = api.Call("GET", "/api/permissions?_start=0&_end=5");
  INFO(catalog.body);
  REQUIRE(catalog.status == 200);
  std::vector<std::string> page1 = Column(catalog, "name");
  REQUIRE(page1.size() == 5);
  CHECK(std::is_sorted(page1.begin(), page1.end()));
  CHECK(Column(catalog, "id") == page1);
  int total = std::stoi(catalog.Header("x-total-count"));
  CHECK(total > 10);
  CHECK(catalog.Header("content-range") == absl::StrCat("items 0-4/", total));
  TestResponse second = api.Call("GET", "/api/permissions?_start=5&_end=10");
  TestResponse by_cursor =
      api.Call("GET", "/api/permissions?limit=5&cursor=" +
                          api.Call("GET", "/api/permissions?limit=5").Header("x-next-cursor"));
  CHECK(Column(second, "name").size() == 5);
  CHECK(Column(second, "name") == Column(by_cursor, "name"));
  CHECK(second.Header("content-range") == absl::StrCat("items 5-9/", total));
  TestResponse users_only = api.Call("GET", "/api/permissions?service=platform&q=users%3Aread");
  CHECK(Column(users_only, "name") == std::vector<std::string>{"users:read"});
  CHECK(Str(Json(users_only).at(0), "service") == "platform");
  CHECK(api.Call("GET", "/api/permissions?_sort=name&_order=DESC").status == 400);
  CHECK(HasError(api.Call("GET", "/api/permissions?resource=users"), "resource"));
}

TEST_CASE("bad role writes: unknown permissions and parents, cycles, system roles, bodies",
          "[roles]") {
  Stack& stack = SharedStack();
  Client api(stack.bff_port());
  api.bearer = AdminToken(stack.bff_port());

  TestResponse unknown = api.Call("POST", "/api/roles",
                                  R"({"name":"e2e-fly","permissions":["users:read","users:fly"]})");
  INFO(unknown.body);
  CHECK(unknown.status == 400);
  CHECK(HasError(unknown, "permissions[1]"));  // the body's name, as a form shows it
  CHECK(absl::StrContains(unknown.body, "users:fly"));
  TestResponse no_parent =
      api.Call("POST", "/api/roles",
               absl::StrCat(R"({"name":"e2e-orphan","parentRoleIds":[")", kUnknownId, R"("]})"));
  CHECK(no_parent.status == 404);

  // c <- b <- a; making a the parent of c closes the cycle: 409 naming it.
  std::string c =
      Str(CreateRole(api, R"({"name":"e2e-cyc-c","permissions":["users:read"]})"), "id");
  std::string b =
      Str(CreateRole(api, absl::StrCat(R"({"name":"e2e-cyc-b","parentRoleIds":[")", c, R"("]})")),
          "id");
  std::string a =
      Str(CreateRole(api, absl::StrCat(R"({"name":"e2e-cyc-a","parentRoleIds":[")", b, R"("]})")),
          "id");
  TestResponse cycle =
      api.Call("PATCH", "/api/roles/" + c, absl::StrCat(R"({"parentRoleIds":[")", a, R"("]})"));
  INFO(cycle.body);
  CHECK(cycle.status == 409);
  CHECK(absl::StrContains(Str(Json(cycle), "detail"),
                          "cycle: e2e-cyc-c -> e2e-cyc-a -> e2e-cyc-b -> e2e-cyc-c"));
  CHECK(Json(api.Call("GET", "/api/roles/" + c)).at("parentRoleIds") == json::array{});

  // System roles: not deletable (not even with force), their permissions are fixed.
  std::string admin = SystemRoleId(api, "admin");
  TestResponse refused = api.Call("DELETE", "/api/roles/" + admin + "?force=true");
  INFO(refused.body);
  CHECK(refused.status == 409);
  CHECK(absl::StrContains(refused.body, "system role"));
  CHECK(api.Call("GET", "/api/roles/" + admin).status == 200);
  CHECK(api.Call("PATCH", "/api/roles/" + admin, R"({"permissions":["users:read"]})").status ==
        409);
  CHECK(HasError(api.Call("DELETE", "/api/roles/" + c + "?purge=true"), "purge"));
  CHECK(HasError(api.Call("DELETE", "/api/roles/" + c + "?force=maybe"), "force"));

  // Strict bodies.
  CHECK(api.Call("POST", "/api/roles", "{not json").status == 400);
  CHECK(api.Call("POST", "/api/roles", "[]").status == 400);
  TestResponse extra = api.Call("POST", "/api/roles", R"({"name":"e2e-x","wildcard":true})");
  CHECK(extra.status == 400);
  CHECK(HasError(extra, "wildcard"));
  TestResponse typed = api.Call("POST", "/api/roles", R"({"name":5})");
  CHECK(typed.status == 400);
  CHECK(HasError(typed, "name"));
  CHECK(HasError(api.Call("POST", "/api/roles", R"({"name":"e2e-x","permissions":"users:read"})"),
                 "permissions"));
  CHECK(HasError(api.Call("POST", "/api/roles", R"({"displayName":"No name"})"), "name"));
  CHECK(
      HasError(api.Call("PATCH", "/api/roles/" + c, R"({"parentRoleIds":[1]})"), "parentRoleIds"));
  std::string user = stack.admin_id();
  CHECK(HasError(api.Call("POST", "/api/users/" + user + "/roles", R"({"roleId":5})"), "roleId"));
  CHECK(HasError(api.Call("POST", "/api/users/" + user + "/roles",
                          absl::StrCat(R"({"roleId":")", c, R"(","expireTime":"tomorrow"})")),
                 "expireTime"));
  CHECK(HasError(api.Call("POST", "/api/users/" + user + "/roles",
                          absl::StrCat(R"({"roleId":")", c, R"(","until":"2031-01-01"})")),
                 "until"));
  CHECK(api.Call("POST", "/api/users/" + user + "/roles", "{").status == 400);

  // Unknown ids are 404s.
  std::string unknown_role = std::string("/api/roles/") + kUnknownId;
  CHECK(api.Call("GET", unknown_role).status == 404);
  CHECK(api.Call("PATCH", unknown_role, R"({"description":"x"})").status == 404);
  CHECK(api.Call("DELETE", unknown_role).status == 404);
  CHECK(api.Call("GET", unknown_role + "/members").status == 404);
  CHECK(api.Call("POST", "/api/users/" + user + "/roles",
                 absl::StrCat(R"({"roleId":")", kUnknownId, R"("})"))
            .status == 404);
  CHECK(api.Call("POST", std::string("/api/users/") + kUnknownId + "/roles",
                 absl::StrCat(R"({"roleId":")", c, R"("})"))
            .status == 404);
  CHECK(api.Call("DELETE", "/api/users/" + user + "/roles/" + kUnknownId).status == 404);
}

TEST_CASE("grants: grant, list a user's roles, members with emails, revoke, the last admin",
          "[roles]") {
  Stack& stack = SharedStack();
  Client api(stack.bff_port());
  api.bearer = AdminToken(stack.bff_port());
  std::string one = Str(CreateUser(api, "grant-one@roles.example"), "id");
  std::string two = Str(CreateUser(api, "grant-two@roles.example"), "id");
  std::string role =
      Str(CreateRole(api, R"({"name":"e2e-readers","permissions":["users:read"]})"), "id");

  std::string expires =
      absl::FormatTime(absl::RFC3339_sec, absl::Now() + absl::Hours(24), absl::UTCTimeZone());
  TestResponse granted = api.Call(
      "POST", "/api/users/" + one + "/roles",
      absl::StrCat(R"({"roleId":")", role, R"(","reason":"e2e","expireTime":")", expires, "\"}"));
  INFO(granted.body);
  REQUIRE(granted.status == 201);
  json::value grant = Json(granted);
  std::string grant_id = Str(grant, "id");
  CHECK_FALSE(grant_id.empty());
  CHECK(Str(grant, "userId") == one);
  CHECK(Str(grant, "roleId") == role);
  CHECK(Str(grant, "reason") == "e2e");
  CHECK(grant.at("expireTime").is_string());
  CHECK(grant.at("expired") == false);
  CHECK(absl::StrContains(Str(grant, "grantedBy"), stack.admin_id()));
  TestResponse second = api.Call("POST", "/api/users/" + two + "/roles",
                                 absl::StrCat(R"({"roleId":")", role, R"("})"));
  REQUIRE(second.status == 201);
  CHECK(Json(second).at("expireTime").is_null());

  TestResponse held = api.Call("GET", "/api/users/" + one + "/roles");
  INFO(held.body);
  REQUIRE(held.status == 200);
  CHECK(Column(held, "id") == std::vector<std::string>{grant_id});
  CHECK(Column(held, "name") == std::vector<std::string>{"e2e-readers"});
  CHECK(Str(Json(held).at(0), "roleId") == role);
  CHECK(Json(held).at(0).at("system") == false);
  CHECK(held.Header("x-total-count") == "1");
  CHECK(held.Header("content-range") == "items 0-0/1");
  TestResponse admins = api.Call("GET", "/api/users/" + stack.admin_id() + "/roles?_sort=name");
  CHECK(Column(admins, "name") == std::vector<std::string>{"admin"});
  CHECK(api.Call("GET", "/api/users/" + one + "/roles?cursor=x").status == 400);

  // Members: the grants, newest first by default, joined with the users' emails.
  TestResponse members = api.Call("GET", "/api/roles/" + role + "/members");
  INFO(members.body);
  REQUIRE(members.status == 200);
  CHECK(Column(members, "email") ==
        std::vector<std::string>{"grant-two@roles.example", "grant-one@roles.example"});
  CHECK(Column(members, "displayName") ==
        std::vector<std::string>{"User grant-two@roles.example", "User grant-one@roles.example"});
  CHECK(members.Header("x-total-count") == "2");
  TestResponse oldest = api.Call(
      "GET", "/api/roles/" + role + "/members?_sort=createTime&_order=ASC&_start=0&_end=1");
  CHECK(Column(oldest, "userId") == std::vector<std::string>{one});
  CHECK(oldest.Header("content-range") == "items 0-0/2");
  CHECK(Json(api.Call("GET", "/api/roles/" + role)).at("memberCount") == 2);
  CHECK(api.Call("DELETE", "/api/roles/" + role).status == 409);  // in use, no force

  // Revoke by role id (with a reason), then by grant id (react-admin's record id).
  TestResponse revoked =
      api.Call("DELETE", "/api/users/" + one + "/roles/" + role + "?reason=left+the+team");
  INFO(revoked.body);
  REQUIRE(revoked.status == 200);
  CHECK(Str(Json(revoked), "id") == grant_id);
  CHECK(Str(Json(revoked), "name") == "e2e-readers");
  TestResponse after = api.Call("GET", "/api/users/" + one + "/roles");
  CHECK(after.body == "[]");
  CHECK(after.Header("x-total-count") == "0");
  std::string second_grant = Str(Json(second), "id");
  TestResponse by_grant = api.Call("DELETE", "/api/users/" + two + "/roles/" + second_grant);
  REQUIRE(by_grant.status == 200);
  CHECK(Str(Json(by_grant), "roleId") == role);
  CHECK(api.Call("DELETE", "/api/users/" + two + "/roles/" + role).status == 404);
  CHECK(HasError(api.Call("DELETE", "/api/users/" + two + "/roles/" + role + "?why=x"), "why"));

  // The bootstrap admin holds the only admin grant: revoking it is refused.
  std::string admin_role = SystemRoleId(api, "admin");
  TestResponse last = api.Call("DELETE", "/api/users/" + stack.admin_id() + "/roles/" + admin_role);
  INFO(last.body);
  CHECK(last.status == 409);
  CHECK(absl::StrContains(last.body, "last admin"));
  CHECK(Column(api.Call("GET", "/api/users/" + stack.admin_id() + "/roles"), "name") ==
        std::vector<std::string>{"admin"});

  // force deletes a role that is still granted.
  REQUIRE(api.Call("POST", "/api/users/" + one + "/roles",
                   absl::StrCat(R"({"roleId":")", role, R"("})"))
              .status == 201);
  TestResponse forced = api.Call("DELETE", "/api/roles/" + role + "?force=true");
  CHECK(forced.status == 200);
  CHECK(Json(forced).at("memberCount") == 1);
  CHECK(api.Call("GET", "/api/users/" + one + "/roles").body == "[]");
}

// The names of the roles /api/me lists for `caller`.
std::vector<std::string> MyRoleNames(Client& caller) {
  TestResponse me = caller.Call("GET", "/api/me");
  INFO(me.body);
  REQUIRE(me.status == 200);
  json::value answer = Json(me);
  std::vector<std::string> names;
  for (const json::value& role : answer.at("roles").as_array()) {
    names.push_back(Str(role, "name"));
  }
  return names;
}

TEST_CASE("/api/me follows the caller's grants at once: grant, relabel, revoke", "[roles]") {
  Stack& stack = SharedStack();
  Client admin(stack.bff_port());
  admin.bearer = AdminToken(stack.bff_port());
  constexpr char kPassword[] = "Plum-Harbor-Seventeen-7";
  std::string id = Str(CreateUser(admin, "me-follows@roles.example",
                                  absl::StrCat(R"(,"password":")", kPassword, "\"")),
                       "id");
  std::string role =
      Str(CreateRole(admin, R"({"name":"e2e-me-readers","permissions":["users:read"]})"), "id");
  Client caller(stack.bff_port());
  caller.bearer = TokenFor(stack.bff_port(), LoginBody("me-follows@roles.example", kPassword));

  // Each answer is asked right after the change, twice: the BFF that made the change drops its
  // cached grants at once (other replicas hear by the watch), and the second answer would come
  // from the cache had the first one stored stale grants.
  CHECK(MyRoleNames(caller).empty());
  CHECK(MyRoleNames(caller).empty());
  REQUIRE(admin
              .Call("POST", "/api/users/" + id + "/roles",
                    absl::StrCat(R"({"roleId":")", role, R"("})"))
              .status == 201);
  CHECK(MyRoleNames(caller) == std::vector<std::string>{"e2e-me-readers"});
  // Nothing is cached for a user within 1 s of their change notice (`settle`); past it the
  // grants are cached, and the relabel below must drop them.
  absl::SleepFor(absl::Milliseconds(1200));
  CHECK(MyRoleNames(caller) == std::vector<std::string>{"e2e-me-readers"});
  CHECK(MyRoleNames(caller) == std::vector<std::string>{"e2e-me-readers"});

  TestResponse renamed = admin.Call("PATCH", "/api/roles/" + role, R"({"name":"e2e-me-renamed"})");
  INFO(renamed.body);
  REQUIRE(renamed.status == 200);
  CHECK(MyRoleNames(caller) == std::vector<std::string>{"e2e-me-renamed"});
  CHECK(MyRoleNames(caller) == std::vector<std::string>{"e2e-me-renamed"});

  // The answers after the wait came from the cache, counted on /metrics.
  TestResponse metrics = admin.Call("GET", "/metrics");
  CHECK(absl::StrContains(metrics.body, "\nbff_held_roles_cache_hits_total "));
  CHECK_FALSE(absl::StrContains(metrics.body, "\nbff_held_roles_cache_hits_total 0\n"));

  REQUIRE(admin.Call("DELETE", "/api/users/" + id + "/roles/" + role).status == 200);
  CHECK(MyRoleNames(caller).empty());
  CHECK(Json(caller.Call("GET", "/api/me")).at("permissions").as_array().empty());
}

TEST_CASE("a granter cannot grant more than they hold", "[roles]") {
  Stack& stack = SharedStack();
  Client api(stack.bff_port());
  api.bearer = AdminToken(stack.bff_port());
  const std::string password = "correct mule battery 77x";
  std::string granter = Str(
      CreateUser(api, "granter@roles.example", absl::StrCat(R"(,"password":")", password, "\"")),
      "id");
  std::string target = Str(CreateUser(api, "target@roles.example"), "id");
  std::string limited =
      Str(CreateRole(api, R"({"name":"e2e-granter","permissions":["roles:grant","users:read"]})"),
          "id");
  std::string readers =
      Str(CreateRole(api, R"({"name":"e2e-plain-readers","permissions":["users:read"]})"), "id");
  REQUIRE(api.Call("POST", "/api/users/" + granter + "/roles",
                   absl::StrCat(R"({"roleId":")", limited, R"("})"))
              .status == 201);

  Client client(stack.bff_port());
  client.bearer = TokenFor(stack.bff_port(), LoginBody("granter@roles.example", password));
  std::string admin_role = SystemRoleId(api, "admin");
  TestResponse escalation = client.Call("POST", "/api/users/" + target + "/roles",
                                        absl::StrCat(R"({"roleId":")", admin_role, R"("})"));
  INFO(escalation.body);
  CHECK(escalation.status == 403);
  std::string detail = Str(Json(escalation), "detail");
  CHECK(absl::StrContains(detail, "users:delete"));
  CHECK(absl::StrContains(detail, "roles:write"));
  // Only what the granter lacks is named: roles:grant and users:read are theirs.
  REQUIRE(detail.rfind("hold: ") != std::string::npos);
  std::vector<std::string> missing =
      absl::StrSplit(detail.substr(detail.rfind("hold: ") + 6), ", ");
  CHECK(std::find(missing.begin(), missing.end(), "users:read") == missing.end());
  CHECK(std::find(missing.begin(), missing.end(), "roles:grant") == missing.end());
  CHECK(Column(api.Call("GET", "/api/users/" + target + "/roles"), "name").empty());
  // Routes needing other permissions are refused by the BFF itself.
  CHECK(client.Call("POST", "/api/roles", R"({"name":"e2e-mine"})").status == 403);
  CHECK(client.Call("GET", "/api/roles").status == 403);

  // What the granter holds may be granted, and revoked (without roles:read the answer is the ids).
  TestResponse granted = client.Call("POST", "/api/users/" + target + "/roles",
                                     absl::StrCat(R"({"roleId":")", readers, R"("})"));
  INFO(granted.body);
  CHECK(granted.status == 201);
  TestResponse revoked = client.Call("DELETE", "/api/users/" + target + "/roles/" + readers);
  INFO(revoked.body);
  CHECK(revoked.status == 200);
  CHECK(Str(Json(revoked), "roleId") == readers);
  CHECK(Str(Json(revoked), "userId") == target);
  CHECK(Column(api.Call("GET", "/api/users/" + target + "/roles"), "name").empty());
}

}  // namespace
}  // namespace backoffice::bff::it
