// End-to-end with a real external OpenID Connect provider: npm's oidc-provider (tools/oidc),
// started by the test on loopback, in front of the real stack (PostgreSQL, users, roles, audit,
// bff). The BFF, the users service and the roles service trust it by --oidc_issuer with the
// jwks_uri from its discovery document; tokens come from its token endpoint (client_credentials,
// client_secret_basic, resource indicator).
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "bff/it/e2e_support.h"
#include "bff/it/stack.h"
#include "bff/testing/http_client.h"
#include "proto/roles/v1/roles.grpc.pb.h"
#include "proto/users/v1/users.grpc.pb.h"
#include "tests/support/child_process.h"
#include "tests/support/service_process.h"

namespace backoffice::bff::it {
namespace {

namespace json = boost::json;
using bff::testing::TestHttpClient;
using bff::testing::TestResponse;

constexpr char kClientId[] = "backoffice-e2e-reader";
// Clients whose tokens carry other permissions (all clients share the secret).
constexpr char kWriterId[] = "backoffice-e2e-writer";
constexpr char kRolesReaderId[] = "backoffice-e2e-roles-reader";
constexpr char kClientSecret[] = "e2e-secret-not-for-production";
constexpr char kResource[] = "api://backoffice";
constexpr char kOtherResource[] = "api://other";

json::value ParseJson(const std::string& text) {
  boost::system::error_code error;
  json::value value = json::parse(text, error);
  return error ? json::value() : value;
}

// The JSON of a JWT's header (part 0) or payload (part 1).
json::value JwtPart(const std::string& token, int part) {
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  REQUIRE(parts.size() == 3);
  std::string decoded;
  REQUIRE(absl::WebSafeBase64Unescape(parts[part], &decoded));
  return ParseJson(decoded);
}

// The token with its payload replaced by `payload` and the signature kept.
std::string WithPayload(const std::string& token, const json::value& payload) {
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  REQUIRE(parts.size() == 3);
  return absl::StrCat(parts[0], ".", absl::WebSafeBase64Escape(json::serialize(payload)), ".",
                      parts[2]);
}

// `context` with `authorization: Bearer <token>` and a deadline for a loaded machine.
void Authorize(grpc::ClientContext& context, const std::string& token) {
  context.AddMetadata("authorization", "Bearer " + token);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
}

// UsersService.ListUsers called directly (not through the BFF) with `token`.
grpc::Status ListUsersDirectly(const std::string& address, const std::string& token) {
  auto stub = users::v1::UsersService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  Authorize(context, token);
  users::v1::ListUsersRequest request;
  users::v1::ListUsersResponse response;
  return stub->ListUsers(&context, request, &response);
}

// UsersService.ListSessions of the caller's own sessions (no user_id), called directly.
grpc::Status ListOwnSessionsDirectly(const std::string& address, const std::string& token) {
  auto stub = users::v1::UsersService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  Authorize(context, token);
  users::v1::ListSessionsRequest request;
  users::v1::ListSessionsResponse response;
  return stub->ListSessions(&context, request, &response);
}

// RolesService.ListRoles called directly with `token`.
grpc::Status ListRolesDirectly(const std::string& address, const std::string& token) {
  auto stub = roles::v1::RolesService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  Authorize(context, token);
  roles::v1::ListRolesRequest request;
  roles::v1::ListRolesResponse response;
  return stub->ListRoles(&context, request, &response);
}

// tools/oidc/idp.sh as a child process: the clients `kClientId` (permissions claim
// ["users:read"]), `kWriterId` (["users:read", "users:write"]) and `kRolesReaderId`
// (["roles:read", "audit:read"]), and the resources kResource and kOtherResource.
class OidcProvider {
 public:
  /// Starts it on `port` (0: the OS picks) and waits (bounded) for its start line.
  explicit OidcProvider(int port = 0) { Start(port); }
  ~OidcProvider() { Stop(); }

  const std::string& issuer() const { return issuer_; }
  const std::string& kid() const { return kid_; }
  /// The jwks_uri of its discovery document (checked to be under the issuer).
  const std::string& JwksUri() const { return jwks_uri_; }

  /// SIGTERM, then a new process on the same port: the same issuer with a new signing key.
  void Restart() {
    int port = port_;
    Stop();
    Start(port);
  }

  /// GET `path` of the provider.
  TestResponse Get(const std::string& path) const { return Exchange("GET", path, {}, ""); }

  /// The token endpoint's answer to a client_credentials request for `resource`, authenticated
  /// with client_secret_basic.
  TestResponse RequestToken(const std::string& resource, const std::string& secret = kClientSecret,
                            const std::string& client = kClientId) const {
    return Exchange(
        "POST", token_path_,
        {{"Authorization", "Basic " + absl::Base64Escape(absl::StrCat(client, ":", secret))},
         {"Content-Type", "application/x-www-form-urlencoded"}},
        absl::StrCat("grant_type=client_credentials&resource=",
                     absl::StrReplaceAll(resource, {{":", "%3A"}, {"/", "%2F"}})));
  }

  /// An access token of `client` for `resource` (the test fails when the provider refuses).
  std::string Token(const std::string& resource = kResource,
                    const std::string& client = kClientId) const {
    TestResponse response = RequestToken(resource, kClientSecret, client);
    INFO(response.body);
    REQUIRE(response.status == 200);
    json::value body = ParseJson(response.body);
    REQUIRE(body.is_object());
    CHECK(Str(body, "token_type") == "Bearer");
    std::string token = Str(body, "access_token");
    REQUIRE(!token.empty());
    return token;
  }

 private:
  // One request on a fresh connection. Written here rather than by TestHttpClient::Request,
  // whose Host header has no port: oidc-provider builds the URLs of its discovery document from
  // the Host header, as it should, so it must name the issuer's host and port.
  TestResponse Exchange(const std::string& method, const std::string& target,
                        const Headers& headers, const std::string& body) const {
    std::string request =
        absl::StrCat(method, " ", target, " HTTP/1.1\r\nHost: 127.0.0.1:", port_,
                     "\r\nConnection: close\r\nContent-Length: ", body.size(), "\r\n");
    for (const auto& [name, value] : headers) {
      absl::StrAppend(&request, name, ": ", value, "\r\n");
    }
    absl::StrAppend(&request, "\r\n", body);
    TestHttpClient http(port_);
    REQUIRE(http.connected());
    REQUIRE(http.SendRaw(request));
    std::optional<TestResponse> response = http.Read();
    REQUIRE(response.has_value());
    return *response;
  }

  void Start(int port) {
    absl::StatusOr<tests::ChildProcess> child = tests::ChildProcess::Start(
        "tools/oidc/idp.sh",
        {absl::StrCat("--port=", port),
         absl::StrCat("--client=", kClientId, ":", kClientSecret, ":users:read"),
         absl::StrCat("--client=", kWriterId, ":", kClientSecret, ":users:read,users:write"),
         absl::StrCat("--client=", kRolesReaderId, ":", kClientSecret, ":roles:read,audit:read"),
         absl::StrCat("--resource=", kResource), absl::StrCat("--resource=", kOtherResource)},
        tests::TestTempPath("oidc-provider.log"));
    REQUIRE(child.ok());
    process_ = std::make_unique<tests::ChildProcess>(*std::move(child));

    // idp.js prints {"issuer":...,"port":...,"kid":...} once it listens; node starts in well
    // under a second, the bound is for a loaded machine.
    json::value started;
    for (int i = 0; i < 600 && started.is_null(); ++i) {
      for (absl::string_view line : absl::StrSplit(process_->Output(), '\n')) {
        if (absl::StartsWith(line, "{\"issuer\"")) {
          started = ParseJson(std::string(line));
        }
      }
      if (started.is_null()) {
        if (process_->WaitForExit(absl::ZeroDuration()).has_value()) {
          FAIL("the OIDC provider exited before listening:\n" << process_->Output());
        }
        absl::SleepFor(absl::Milliseconds(50));
      }
    }
    INFO(process_->Output());
    REQUIRE(started.is_object());
    issuer_ = Str(started, "issuer");
    kid_ = Str(started, "kid");
    port_ = static_cast<int>(started.at("port").to_number<int64_t>());
    REQUIRE((port == 0 || port_ == port));
    REQUIRE(issuer_ == absl::StrCat("http://127.0.0.1:", port_));

    // Endpoints come from the discovery document, as a relying party finds them.
    TestResponse discovery = Get("/.well-known/openid-configuration");
    INFO(discovery.body);
    REQUIRE(discovery.status == 200);
    json::value document = ParseJson(discovery.body);
    REQUIRE(document.is_object());
    REQUIRE(Str(document, "issuer") == issuer_);
    jwks_uri_ = Str(document, "jwks_uri");
    std::string token_endpoint = Str(document, "token_endpoint");
    REQUIRE(absl::StartsWith(jwks_uri_, issuer_ + "/"));
    REQUIRE(absl::StartsWith(token_endpoint, issuer_ + "/"));
    token_path_ = token_endpoint.substr(issuer_.size());
  }

  void Stop() {
    if (process_ == nullptr) {
      return;
    }
    process_->Signal(SIGTERM);
    if (!process_->WaitForExit(absl::Seconds(10)).has_value()) {
      process_->Signal(SIGKILL);
      process_->WaitForExit(absl::Seconds(10));
    }
    process_.reset();
  }

  std::unique_ptr<tests::ChildProcess> process_;
  std::string issuer_;
  std::string kid_;
  std::string jwks_uri_;
  std::string token_path_;
  int port_ = 0;
};

TEST_CASE("a real OIDC provider: its tokens are accepted through its JWKS, also after a rotation",
          "[e2e]") {
  // The provider first: the BFF's flag names its issuer and its discovered JWKS URL. Both are
  // stopped when the test case ends (the provider by SIGTERM, then SIGKILL if need be).
  OidcProvider provider;
  std::string oidc_flag =
      absl::StrCat("--oidc_issuer=", provider.issuer(), "|", provider.JwksUri(), "|", kResource);
  Stack stack({.bff_flags =
                   {
                       oidc_flag,
                       // So that an earlier on-demand refresh (a first request racing the
                       // start-up fetch) cannot rate-limit the one the key rotation below needs.
                       "--jwks_min_demand_interval=1ms",
                   },
               .service_flags = {oidc_flag}});

  // What the provider issues: a JWT access token for the resource, typ at+jwt, with the kid of
  // its current key and the client's permissions.
  std::string token = provider.Token();
  json::value header = JwtPart(token, 0);
  json::value payload = JwtPart(token, 1);
  INFO(json::serialize(header) << " " << json::serialize(payload));
  CHECK(Str(header, "typ") == "at+jwt");
  CHECK(Str(header, "kid") == provider.kid());
  CHECK(Str(payload, "iss") == provider.issuer());
  CHECK(Str(payload, "aud") == kResource);
  CHECK(Str(payload, "sub") == kClientId);
  CHECK(payload.at("permissions") == json::array{"users:read"});

  Client api(stack.bff_port());
  api.bearer = token;
  TestResponse me = api.Call("GET", "/api/me");
  INFO(me.body);
  REQUIRE(me.status == 200);
  CHECK(Str(Json(me), "issuer") == provider.issuer());
  CHECK(Str(Json(me), "id") == kClientId);
  CHECK(Json(me).at("permissions") == json::array{"users:read"});
  CHECK(Json(me).at("sessionId").is_null());
  CHECK(Json(me).at("roles") == json::array{});
  // The users service does not know this principal (see below): `user` is reported missing.
  CHECK(Json(me).at("user").is_null());
  const json::array& missing = Json(me).at("missing").as_array();
  CHECK(std::find(missing.begin(), missing.end(), json::value("user")) != missing.end());

  // A route whose permission the claim holds (users:read) passes the BFF, and the users service
  // behind it trusts the issuer too and authorizes by the same claim: it lists and reads users.
  TestResponse list = api.Call("GET", "/api/users");
  INFO(list.body);
  REQUIRE(list.status == 200);
  json::value listed = Json(list);
  REQUIRE(listed.is_array());
  bool listed_admin = false;
  for (const json::value& row : listed.as_array()) {
    listed_admin = listed_admin || Str(row, "id") == stack.admin_id();
  }
  CHECK(listed_admin);
  TestResponse read = api.Call("GET", "/api/users/" + stack.admin_id());
  INFO(read.body);
  CHECK(read.status == 200);
  CHECK(Str(Json(read), "email") == kAdminEmail);

  // A route whose permission the claim lacks: the BFF's 403 naming it.
  TestResponse forbidden = api.Call("DELETE", "/api/users/" + stack.admin_id());
  INFO(forbidden.body);
  CHECK(forbidden.status == 403);
  CHECK(absl::StrContains(forbidden.body, "users:delete"));
  TestResponse no_write = api.Call("POST", "/api/users", R"({"email":"oidc-reader@example.com"})");
  INFO(no_write.body);
  CHECK(no_write.status == 403);
  CHECK(absl::StrContains(no_write.body, "users:write"));

  // A client whose claim holds roles:read but not users:read: 403 naming users:read from the
  // BFF; the roles service answers it.
  Client roles_reader(stack.bff_port());
  roles_reader.bearer = provider.Token(kResource, kRolesReaderId);
  TestResponse no_read = roles_reader.Call("GET", "/api/users");
  INFO(no_read.body);
  CHECK(no_read.status == 403);
  CHECK(absl::StrContains(no_read.body, "users:read"));
  TestResponse roles = roles_reader.Call("GET", "/api/roles");
  INFO(roles.body);
  CHECK(roles.status == 200);
  // The audit service trusts the issuer too: audit:read in the claim reads the log; without it,
  // the BFF's 403.
  TestResponse log = roles_reader.Call("GET", "/api/audit?_start=0&_end=5");
  INFO(log.body);
  CHECK(log.status == 200);
  TestResponse no_log = api.Call("GET", "/api/audit");
  INFO(no_log.body);
  CHECK(no_log.status == 403);
  CHECK(absl::StrContains(no_log.body, "audit:read"));

  // users:write in the claim creates a user; the change's actor is the external principal, its
  // subject qualified by its issuer, in the users service's outbox event and so in the audit log.
  Client writer(stack.bff_port());
  writer.bearer = provider.Token(kResource, kWriterId);
  std::string email = absl::StrCat("oidc-", absl::ToUnixMicros(absl::Now()), "@example.com");
  TestResponse created =
      writer.Call("POST", "/api/users", absl::StrCat(R"({"email":")", email, R"("})"),
                  {{"X-Request-Id", "oidc-e2e-create"}});
  INFO(created.body);
  REQUIRE(created.status == 201);
  std::string created_id = Str(Json(created), "id");
  REQUIRE(!created_id.empty());
  Client admin(stack.bff_port());
  admin.bearer = AdminToken(stack.bff_port());
  json::object event;
  // The relay delivers asynchronously; the bound only stops a broken test from hanging.
  for (absl::Time deadline = absl::Now() + absl::Seconds(30); event.empty();) {
    TestResponse audit = admin.Call("GET", "/api/audit?resourceId=" + created_id);
    INFO(audit.body);
    REQUIRE(audit.status == 200);
    json::value rows = Json(audit);
    REQUIRE(rows.is_array());
    for (const json::value& row : rows.as_array()) {
      if (Str(row, "action") == "users.user.created") event = row.as_object();
    }
    if (event.empty()) {
      REQUIRE(absl::Now() < deadline);
      absl::SleepFor(absl::Milliseconds(50));
    }
  }
  INFO(json::serialize(event));
  CHECK(Str(event.at("actor"), "type") == "user");
  CHECK(Str(event.at("actor"), "id") == absl::StrCat(provider.issuer(), "#", kWriterId));
  CHECK(Str(event, "requestId") == "oidc-e2e-create");

  // A token of the same provider for another resource carries another audience: refused.
  Client other(stack.bff_port());
  other.bearer = provider.Token(kOtherResource);
  CHECK(Str(JwtPart(other.bearer, 1), "aud") == kOtherResource);
  TestResponse foreign = other.Call("GET", "/api/me");
  INFO(foreign.body);
  CHECK(foreign.status == 401);
  CHECK(absl::StrContains(foreign.body, "aud does not name this service"));

  // A token whose payload was changed (more permissions) keeps its signature: refused.
  json::object escalated = payload.as_object();
  escalated["permissions"] = json::array{"*"};
  Client tampered(stack.bff_port());
  tampered.bearer = WithPayload(token, escalated);
  TestResponse refused = tampered.Call("GET", "/api/me");
  INFO(refused.body);
  CHECK(refused.status == 401);
  CHECK(absl::StrContains(refused.body, "signature does not verify"));
  CHECK(tampered.Call("DELETE", "/api/users/" + stack.admin_id()).status == 401);

  // The services decide for themselves too, called directly over gRPC (not through the BFF):
  // the provider's token is accepted and authorized by its claim; a tampered one or one for
  // another audience is refused UNAUTHENTICATED by each service.
  grpc::Status direct = ListUsersDirectly(stack.users_address(), token);
  INFO(direct.error_message());
  CHECK(direct.ok());
  // An external principal has no account here: "own account" calls are refused as such, not
  // read as a user id it does not have.
  grpc::Status own_sessions = ListOwnSessionsDirectly(stack.users_address(), token);
  CHECK(own_sessions.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK(absl::StrContains(own_sessions.error_message(), "only a user"));
  grpc::Status direct_roles = ListRolesDirectly(stack.roles_address(), token);
  CHECK(direct_roles.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK(absl::StrContains(direct_roles.error_message(), "roles:read"));
  CHECK(ListRolesDirectly(stack.roles_address(), roles_reader.bearer).ok());
  for (const std::string& address : {stack.users_address(), stack.roles_address()}) {
    INFO(address);
    grpc::Status forged = address == stack.users_address()
                              ? ListUsersDirectly(address, tampered.bearer)
                              : ListRolesDirectly(address, tampered.bearer);
    CHECK(forged.error_code() == grpc::StatusCode::UNAUTHENTICATED);
    CHECK(absl::StrContains(forged.error_message(), "signature does not verify"));
    grpc::Status elsewhere = address == stack.users_address()
                                 ? ListUsersDirectly(address, other.bearer)
                                 : ListRolesDirectly(address, other.bearer);
    CHECK(elsewhere.error_code() == grpc::StatusCode::UNAUTHENTICATED);
    CHECK(absl::StrContains(elsewhere.error_message(), "aud does not name this service"));
  }

  // The provider refuses a wrong secret and an unknown resource itself.
  CHECK(provider.RequestToken(kResource, "wrong-secret").status == 401);
  CHECK(provider.RequestToken("api://unknown").status == 400);

  // Key rotation. A token of the current key, seen by the BFF, and one it has not seen yet (so
  // not in its verified-token cache).
  Client before(stack.bff_port());
  before.bearer = provider.Token();
  REQUIRE(before.Call("GET", "/api/me").status == 200);
  std::string unseen_old = provider.Token();
  std::string old_kid = provider.kid();

  // The provider restarts on the same port with a new key; the BFF still holds the old JWKS.
  provider.Restart();
  REQUIRE(provider.kid() != old_kid);
  TestResponse jwks = provider.Get(provider.JwksUri().substr(provider.issuer().size()));
  REQUIRE(jwks.status == 200);
  CHECK(absl::StrContains(jwks.body, provider.kid()));
  CHECK_FALSE(absl::StrContains(jwks.body, old_kid));

  // A token of the new key names a kid the BFF does not know: it waits for one JWKS refresh
  // and accepts it.
  Client after(stack.bff_port());
  after.bearer = provider.Token();
  CHECK(Str(JwtPart(after.bearer, 0), "kid") == provider.kid());
  TestResponse rotated = after.Call("GET", "/api/me");
  INFO(rotated.body);
  CHECK(rotated.status == 200);
  CHECK(Str(Json(rotated), "issuer") == provider.issuer());

  // The refreshed set no longer has the old key: an old token not verified before is refused.
  Client old(stack.bff_port());
  old.bearer = unseen_old;
  TestResponse retired = old.Call("GET", "/api/me");
  INFO(retired.body);
  CHECK(retired.status == 401);
  CHECK(absl::StrContains(retired.body, "kid is unknown"));
}

}  // namespace
}  // namespace backoffice::bff::it
