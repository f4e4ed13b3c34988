// The users service's authorization rule for each kind of caller. The roles service here is an
// address nobody listens on: a decision that asks it is refused UNAVAILABLE, so a decision that
// is made without it shows that it was not asked. (Users through the real roles service:
// it/users_calls_test; external principals through the real binaries: bff/it:oidc_e2e_test.)
#include "services/users/roles_authorizer.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "libs/errors/error_details.h"

namespace backoffice::users {
namespace {

struct Fixture {
  authz::RolesPermissionsClient permissions{
      grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials()), authz::CacheOptions{},
      absl::Milliseconds(200)};
  RolesCallAuthorizer authorizer{permissions};
};

auth::Caller External(std::vector<std::string> permissions) {
  return auth::Caller{.kind = auth::Caller::Kind::kExternal,
                      .id = "https://idp.example#0190b5f2-7c1e-7d3a-9f00-0123456789ab",
                      .issuer = "https://idp.example",
                      .permissions = std::move(permissions)};
}

TEST_CASE("an external principal holds its claim's permissions, without asking roles") {
  Fixture f;
  auth::Caller reader = External({"users:read"});
  CHECK(f.authorizer.Authorize(reader, kPermUsersRead, "").ok());
  CHECK(
      f.authorizer.Authorize(reader, kPermUsersRead, "0190b5f2-7c1e-7d3a-9f00-0123456789ab").ok());
  absl::Status denied = f.authorizer.Authorize(reader, kPermUsersWrite, "");
  CHECK(denied.code() == absl::StatusCode::kPermissionDenied);
  CHECK(absl::StrContains(denied.message(), "users:write"));
  CHECK(errors::ErrorReasonOf(denied) == "MISSING_PERMISSION");
  CHECK(f.authorizer.Authorize(External({"*"}), kPermUsersDelete, "").ok());
  CHECK(f.authorizer.Authorize(reader, kPermSelf, "").ok());
}

TEST_CASE("an external principal is nobody's self") {
  Fixture f;
  auth::Caller nobody = External({});
  // Neither the account its sub names nor one spelled as its whole id.
  CHECK(f.authorizer.Authorize(nobody, kPermUsersWrite, "0190b5f2-7c1e-7d3a-9f00-0123456789ab")
            .code() == absl::StatusCode::kPermissionDenied);
  CHECK(f.authorizer.Authorize(nobody, kPermUsersWrite, nobody.id).code() ==
        absl::StatusCode::kPermissionDenied);
}

TEST_CASE("a user is asked of roles (closed when it cannot answer); a service holds nothing") {
  Fixture f;
  auth::Caller user{.kind = auth::Caller::Kind::kUser,
                    .id = "0190b5f2-7c1e-7d3a-9f00-0123456789ab",
                    .permissions = {"*"}};  // ignored: users' permissions come from roles
  absl::Status asked = f.authorizer.Authorize(user, kPermUsersRead, "");
  CHECK_FALSE(asked.ok());
  CHECK(asked.code() != absl::StatusCode::kPermissionDenied);
  CHECK(f.authorizer.Authorize(user, kPermUsersWrite, user.id).ok());  // self
  auth::Caller service{.kind = auth::Caller::Kind::kService, .id = "service:audit"};
  CHECK(f.authorizer.Authorize(service, kPermUsersRead, "").code() ==
        absl::StatusCode::kPermissionDenied);
}

TEST_CASE("an external principal's changes are recorded as a user qualified by its issuer") {
  Actor actor = ActorFor(External({"users:write"}), "req-1", "");
  CHECK(actor.type == "user");
  CHECK(actor.id == "https://idp.example#0190b5f2-7c1e-7d3a-9f00-0123456789ab");
}

}  // namespace
}  // namespace backoffice::users
