// Authorization end to end: the real BFF, users, roles and audit binaries. A matrix of roles times
// every permission-guarded route of the BFF's route table (read from the same AddRoutes the binary
// uses): each answer is 2xx when the role holds the route's permission and exactly 403 naming it
// otherwise. Then a revoke through the roles service stops working at the BFF without a new login.
#include <grpcpp/create_channel.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bff/app/downstreams.h"
#include "bff/app/permissions.h"
#include "bff/app/routes.h"
#include "bff/http/route.h"
#include "bff/http/router.h"
#include "bff/it/stack.h"
#include "bff/testing/http_client.h"
#include "libs/metrics/registry.h"
#include "proto/roles/v1/roles.grpc.pb.h"

namespace backoffice::bff::it {
namespace {

namespace json = boost::json;
using bff::testing::TestResponse;

constexpr char kPassword[] = "correct horse battery staple 7";
constexpr char kViewerRoleId[] = "01900000-0000-7000-8000-000000000003";
constexpr char kOperatorRoleId[] = "01900000-0000-7000-8000-000000000002";
constexpr char kAdminRoleId[] = "01900000-0000-7000-8000-000000000001";

// What the seeded system roles carry (services/roles/migrations/0003), written out here so the
// test does not take the system under test's word for it.
const std::set<std::string>& ViewerPermissions() {
  static const auto* set =
      new std::set<std::string>{"users:read", "sessions:read",      "roles:read",
                                "audit:read", "notifications:read", "integrations:read"};
  return *set;
}
const std::set<std::string>& OperatorPermissions() {
  static const auto* set = new std::set<std::string>{
      "users:read",   "users:write",        "users:unlock",       "users:import",
      "users:export", "sessions:read",      "sessions:revoke",    "roles:read",
      "audit:read",   "notifications:read", "notifications:send", "integrations:read"};
  return *set;
}

// One request to the BFF on a fresh connection, as `bearer`.
TestResponse Call(int port, const std::string& bearer, const std::string& method,
                  const std::string& target, const std::string& body = "",
                  const std::string& content_type = "application/json") {
  bff::testing::TestHttpClient client(port);
  std::vector<std::pair<std::string, std::string>> headers;
  if (!bearer.empty()) headers.emplace_back("Authorization", "Bearer " + bearer);
  if (!body.empty()) headers.emplace_back("Content-Type", content_type);
  std::optional<TestResponse> response = client.Request(method, target, headers, body);
  REQUIRE(response.has_value());
  return *response;
}

json::value Parse(const TestResponse& response) {
  INFO(response.body);
  boost::system::error_code error;
  json::value value = json::parse(response.body, error);
  REQUIRE_FALSE(error);
  return value;
}

std::string Str(const json::value& value, const char* key) {
  const json::value* member = value.as_object().if_contains(key);
  return member != nullptr && member->is_string() ? std::string(member->get_string()) : "";
}

// A login through the BFF (non-browser flow).
std::string Token(int port, const std::string& email, const std::string& password) {
  TestResponse token =
      Call(port, "", "POST", "/api/auth/token",
           json::serialize(json::object{{"email", email}, {"password", password}}));
  INFO(token.body);
  REQUIRE(token.status == 200);
  return Str(Parse(token), "accessToken");
}

struct Account {
  std::string id;
  std::string email;
};

// The world the matrix runs in: the stack, the admin's token, a roles client for setup.
class World {
 public:
  World()
      : admin_(Token(stack_.bff_port(), kAdminEmail, kAdminPassword)),
        roles_(roles::v1::RolesService::NewStub(
            grpc::CreateChannel(stack_.roles_address(), grpc::InsecureChannelCredentials()))) {}

  Stack& stack() { return stack_; }
  int port() const { return stack_.bff_port(); }
  const std::string& admin() const { return admin_; }

  // An account created by the admin (with a password when `with_password`).
  Account NewAccount(bool with_password = false) {
    std::string email =
        absl::StrCat("matrix-", ++counter_, "-", absl::ToUnixMicros(absl::Now()), "@example.com");
    json::object body{{"email", email}};
    if (with_password) body["password"] = kPassword;
    TestResponse created = Call(port(), admin_, "POST", "/api/users", json::serialize(body));
    INFO(created.body);
    REQUIRE(created.status == 201);
    return {Str(Parse(created), "id"), email};
  }

  // A custom role carrying `permissions`, created by the admin.
  std::string NewRole(const std::vector<std::string>& permissions) {
    grpc::ClientContext context;
    Authorize(context);
    roles::v1::CreateRoleRequest request;
    request.mutable_role()->set_name(absl::StrCat("matrix-", ++counter_));
    for (const std::string& p : permissions) request.mutable_role()->add_permissions(p);
    roles::v1::Role role;
    grpc::Status status = roles_->CreateRole(&context, request, &role);
    INFO(status.error_message());
    REQUIRE(status.ok());
    return role.id();
  }

  void Grant(const std::string& user_id, const std::string& role_id) {
    grpc::ClientContext context;
    Authorize(context);
    roles::v1::GrantRoleRequest request;
    request.set_user_id(user_id);
    request.set_role_id(role_id);
    roles::v1::RoleGrant grant;
    grpc::Status status = roles_->GrantRole(&context, request, &grant);
    INFO(status.error_message());
    REQUIRE(status.ok());
  }

  void Revoke(const std::string& user_id, const std::string& role_id) {
    grpc::ClientContext context;
    Authorize(context);
    roles::v1::RevokeRoleRequest request;
    request.set_user_id(user_id);
    request.set_role_id(role_id);
    google::protobuf::Empty empty;
    grpc::Status status = roles_->RevokeRole(&context, request, &empty);
    INFO(status.error_message());
    REQUIRE(status.ok());
  }

 private:
  void Authorize(grpc::ClientContext& context) {
    context.AddMetadata("authorization", "Bearer " + admin_);
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  }

  Stack stack_;
  std::string admin_;
  std::unique_ptr<roles::v1::RolesService::Stub> roles_;
  int counter_ = 0;
};

// The id of the newest audit event, listed as the admin; waits (bounded) until the relays have
// delivered one, so the event routes and the checkpoint have something to answer.
std::string NewestAuditEventId(World& world) {
  absl::Time deadline = absl::Now() + absl::Seconds(15);
  while (true) {
    TestResponse list = Call(world.port(), world.admin(), "GET", "/api/audit?_start=0&_end=1");
    INFO(list.body);
    REQUIRE(list.status == 200);
    json::value page = Parse(list);
    const json::array& rows = page.as_array();
    if (!rows.empty()) return Str(rows.front(), "id");
    REQUIRE(absl::Now() < deadline);
    absl::SleepFor(absl::Milliseconds(50));
  }
}

// A request that succeeds for a caller allowed to make it.
struct Sample {
  std::string method;
  std::string target;
  std::string body;
  std::string content_type = "application/json";
};
using SampleMaker = std::function<Sample(World&)>;

// One valid request per guarded route ("METHOD pattern"); destructive ones act on fresh targets.
std::map<std::string, SampleMaker> Samples() {
  auto on_user = [](std::string method, std::string suffix, std::string body = "") {
    return [=](World& world) {
      return Sample{method, absl::StrCat("/api/users/", world.NewAccount().id, suffix), body};
    };
  };
  return {
      {"GET /api/users",
       [](World&) {
         return Sample{"GET", "/api/users?_start=0&_end=5"};
       }},
      {"POST /api/users",
       [](World&) {
         return Sample{"POST", "/api/users",
                       json::serialize(json::object{
                           {"email", absl::StrCat("created-", absl::ToUnixNanos(absl::Now()),
                                                  "@example.com")}})};
       }},
      {"GET /api/users/{id}", on_user("GET", "")},
      {"PUT /api/users/{id}",
       [](World& world) {
         Account target = world.NewAccount();
         return Sample{"PUT", "/api/users/" + target.id,
                       json::serialize(json::object{{"email", target.email},
                                                    {"displayName", "Put By Matrix"}})};
       }},
      {"PATCH /api/users/{id}", on_user("PATCH", "", R"({"displayName":"Patched"})")},
      {"DELETE /api/users/{id}", on_user("DELETE", "")},
      {"GET /api/users/{id}/sessions", on_user("GET", "/sessions")},
      {"DELETE /api/users/{id}/sessions", on_user("DELETE", "/sessions")},
      {"DELETE /api/users/{id}/sessions/{sid}",
       [](World& world) {
         Account target = world.NewAccount(true);
         TestResponse login =
             Call(world.port(), "", "POST", "/api/auth/token",
                  json::serialize(json::object{{"email", target.email}, {"password", kPassword}}));
         REQUIRE(login.status == 200);
         return Sample{"DELETE", absl::StrCat("/api/users/", target.id, "/sessions/",
                                              Str(Parse(login), "sessionId"))};
       }},
      {"GET /api/users/{id}/lockout", on_user("GET", "/lockout")},
      {"DELETE /api/users/{id}/lockout", on_user("DELETE", "/lockout")},
      {"POST /api/users/{id}/password-reset", on_user("POST", "/password-reset", "{}")},
      {"POST /api/users/{id}/disable", on_user("POST", "/disable", R"({"reason":"matrix"})")},
      {"POST /api/users/{id}/enable",
       [](World& world) {
         Account target = world.NewAccount();
         REQUIRE(Call(world.port(), world.admin(), "POST", "/api/users/" + target.id + "/disable")
                     .status == 200);
         return Sample{"POST", "/api/users/" + target.id + "/enable"};
       }},
      {"POST /api/users/{id}/restore",
       [](World& world) {
         Account target = world.NewAccount();
         REQUIRE(Call(world.port(), world.admin(), "DELETE", "/api/users/" + target.id).status ==
                 200);
         return Sample{"POST", "/api/users/" + target.id + "/restore"};
       }},
      {"POST /api/users/import",
       [](World&) {
         return Sample{
             "POST", "/api/users/import",
             absl::StrCat("email\nimported-", absl::ToUnixNanos(absl::Now()), "@example.com\n"),
             "text/csv"};
       }},
      {"GET /api/users/export",
       [](World&) {
         return Sample{"GET", "/api/users/export"};
       }},
      {"GET /api/permissions",
       [](World&) {
         return Sample{"GET", "/api/permissions"};
       }},
      {"GET /api/roles",
       [](World&) {
         return Sample{"GET", "/api/roles?_sort=name&_order=ASC"};
       }},
      {"POST /api/roles",
       [](World&) {
         return Sample{"POST", "/api/roles",
                       json::serialize(json::object{
                           {"name", absl::StrCat("posted-", absl::ToUnixNanos(absl::Now()))},
                           {"permissions", json::array{}}})};
       }},
      {"GET /api/roles/{id}",
       [](World&) {
         return Sample{"GET", absl::StrCat("/api/roles/", kViewerRoleId)};
       }},
      {"PUT /api/roles/{id}",
       [](World& world) {
         return Sample{"PUT", "/api/roles/" + world.NewRole({}),
                       json::serialize(json::object{
                           {"name", absl::StrCat("put-", absl::ToUnixNanos(absl::Now()))},
                           {"permissions", json::array{}}})};
       }},
      {"PATCH /api/roles/{id}",
       [](World& world) {
         return Sample{"PATCH", "/api/roles/" + world.NewRole({}), R"({"description":"patched"})"};
       }},
      {"DELETE /api/roles/{id}",
       [](World& world) {
         return Sample{"DELETE", "/api/roles/" + world.NewRole({})};
       }},
      {"GET /api/roles/{id}/members",
       [](World&) {
         return Sample{"GET", absl::StrCat("/api/roles/", kViewerRoleId, "/members")};
       }},
      {"GET /api/users/{id}/roles", on_user("GET", "/roles")},
      {"POST /api/users/{id}/roles",
       [](World& world) {
         return Sample{"POST", absl::StrCat("/api/users/", world.NewAccount().id, "/roles"),
                       json::serialize(json::object{{"roleId", world.NewRole({})}})};
       }},
      {"GET /api/audit",
       [](World&) {
         return Sample{"GET", "/api/audit?_start=0&_end=5&_sort=eventTime&_order=DESC"};
       }},
      {"GET /api/audit/{id}",
       [](World& world) {
         return Sample{"GET", "/api/audit/" + NewestAuditEventId(world)};
       }},
      {"GET /api/audit/export",
       [](World& world) {
         NewestAuditEventId(world);
         return Sample{"GET", "/api/audit/export?format=ndjson&action=users.*"};
       }},
      {"GET /api/audit/verify",
       [](World& world) {
         NewestAuditEventId(world);
         return Sample{"GET", "/api/audit/verify"};
       }},
      {"POST /api/audit/verify",
       [](World& world) {
         NewestAuditEventId(world);
         return Sample{"POST", "/api/audit/verify", R"({"startSequence":1})"};
       }},
      {"GET /api/audit/checkpoint",
       [](World& world) {
         NewestAuditEventId(world);
         return Sample{"GET", "/api/audit/checkpoint"};
       }},
      {"DELETE /api/users/{id}/roles/{roleId}",
       [](World& world) {
         Account holder = world.NewAccount();
         std::string role = world.NewRole({});
         world.Grant(holder.id, role);
         return Sample{"DELETE", absl::StrCat("/api/users/", holder.id, "/roles/", role)};
       }},
  };
}

// The BFF's route table, from the same AddRoutes the binary calls (the channels never connect).
std::vector<http::Route> GuardedRoutes() {
  static metrics::Registry* registry = new metrics::Registry();
  static app::Downstreams* downstreams =
      new app::Downstreams(app::Downstreams::Create({}, *registry));
  static app::RolesPermissions* permissions = new app::RolesPermissions(
      {.roles = downstreams->roles.get(), .users_issuer = "backoffice-users"});
  http::Router router;
  REQUIRE(app::AddRoutes(router, *downstreams, *permissions, nullptr).ok());
  std::vector<http::Route> guarded;
  for (const http::Route* route : router.routes()) {
    if (route->permission != http::kPublic && route->permission != http::kAuthenticated) {
      guarded.push_back(*route);
    }
  }
  return guarded;
}

TEST_CASE("roles x routes: 2xx exactly when the role holds the route's permission, else 403",
          "[e2e][authz]") {
  World world;
  std::vector<http::Route> routes = GuardedRoutes();
  REQUIRE(routes.size() >= 25);
  std::map<std::string, SampleMaker> samples = Samples();

  struct Member {
    std::string name;
    std::set<std::string> permissions;
    std::string role_id;  // empty: no grant at all
  };
  std::set<std::string> everything;
  for (const http::Route& route : routes) everything.insert(route.permission);
  std::vector<Member> members = {
      {"admin", everything, kAdminRoleId},
      {"operator", OperatorPermissions(), kOperatorRoleId},
      {"viewer", ViewerPermissions(), kViewerRoleId},
      {"custom", {"users:read", "users:export"}, world.NewRole({"users:read", "users:export"})},
      {"nobody", {}, ""},
  };

  for (const Member& member : members) {
    Account account = world.NewAccount(true);
    if (!member.role_id.empty()) world.Grant(account.id, member.role_id);
    std::string token = Token(world.port(), account.email, kPassword);
    for (const http::Route& route : routes) {
      std::string key = absl::StrCat(route.method, " ", route.pattern);
      INFO(member.name << " -> " << key);
      auto sample = samples.find(key);
      REQUIRE(sample != samples.end());  // a new route needs a sample here
      Sample request = sample->second(world);
      TestResponse answer = Call(world.port(), token, request.method, request.target, request.body,
                                 request.content_type);
      INFO(answer.body);
      if (member.permissions.contains(route.permission)) {
        CHECK((answer.status == 200 || answer.status == 201 || answer.status == 204));
      } else {
        CHECK(answer.status == 403);
        CHECK(absl::StrContains(answer.body, route.permission));
      }
    }
  }
}

TEST_CASE("a revoked role stops working at the BFF at once, without a new login", "[e2e][authz]") {
  World world;
  Account reader = world.NewAccount(true);
  Account target = world.NewAccount();
  std::string role = world.NewRole({"users:read"});
  world.Grant(reader.id, role);
  std::string token = Token(world.port(), reader.email, kPassword);
  std::string path = "/api/users/" + target.id;
  REQUIRE(Call(world.port(), token, "GET", path).status == 200);
  REQUIRE(Call(world.port(), token, "GET", path).status == 200);  // now cached at the BFF

  world.Revoke(reader.id, role);
  // The watch delivers the change asynchronously; the bound only stops a broken test hanging.
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  int status = 200;
  while (status == 200 && absl::Now() < deadline) {
    status = Call(world.port(), token, "GET", path).status;
  }
  CHECK(status == 403);

  // The answers came from the BFF's cache, kept exact by a live watch.
  TestResponse metrics = Call(world.port(), "", "GET", "/metrics");
  CHECK(absl::StrContains(metrics.body, "\nbff_permission_watch_live 1\n"));
  CHECK_FALSE(absl::StrContains(metrics.body, "\nbff_permission_cache_hits_total 0\n"));

  // Granted again: allowed again, with the same token.
  world.Grant(reader.id, role);
  deadline = absl::Now() + absl::Seconds(10);
  while (status != 200 && absl::Now() < deadline) {
    status = Call(world.port(), token, "GET", path).status;
  }
  CHECK(status == 200);
}

}  // namespace
}  // namespace backoffice::bff::it
