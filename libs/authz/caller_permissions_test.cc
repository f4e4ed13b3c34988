#include "libs/authz/caller_permissions.h"

#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "libs/errors/error_details.h"

namespace backoffice::authz {
namespace {

auth::Caller Make(auth::Caller::Kind kind, std::vector<std::string> permissions = {}) {
  auth::Caller caller;
  caller.kind = kind;
  caller.id = kind == auth::Caller::Kind::kExternal ? "https://idp#c" : "u1";
  caller.permissions = std::move(permissions);
  return caller;
}

TEST_CASE("a claim grants what it lists, or everything with *") {
  CHECK(ClaimGrants({"users:read", "roles:read"}, "roles:read"));
  CHECK_FALSE(ClaimGrants({"users:read"}, "users:write"));
  CHECK_FALSE(ClaimGrants({"users:*"}, "users:write"));
  CHECK_FALSE(ClaimGrants({}, "users:read"));
  CHECK(ClaimGrants({"*"}, "audit:export"));
}

TEST_CASE("an external principal's permissions are its claim; roles is never asked") {
  int asked = 0;
  auto roles = [&]() -> absl::StatusOr<bool> {
    ++asked;
    return true;
  };
  auth::Caller reader = Make(auth::Caller::Kind::kExternal, {"users:read"});
  CHECK(RequirePermission(reader, "users:read", roles).ok());
  absl::Status denied = RequirePermission(reader, "users:write", roles);
  CHECK(denied.code() == absl::StatusCode::kPermissionDenied);
  CHECK(absl::StrContains(denied.message(), "users:write"));
  CHECK(errors::ErrorReasonOf(denied) == "MISSING_PERMISSION");
  CHECK(RequirePermission(Make(auth::Caller::Kind::kExternal, {"*"}), "roles:grant", roles).ok());
  CHECK(asked == 0);
  CHECK(TokenGrants(reader, "users:read"));
}

TEST_CASE("a users-service user's permissions come from roles, errors pass through") {
  auth::Caller user = Make(auth::Caller::Kind::kUser, {"*"});  // a claim on a user is ignored
  CHECK(RequirePermission(user, "users:read", [] { return absl::StatusOr<bool>(true); }).ok());
  CHECK(RequirePermission(user, "users:read", [] { return absl::StatusOr<bool>(false); }).code() ==
        absl::StatusCode::kPermissionDenied);
  CHECK(RequirePermission(user, "users:read", [] {
          return absl::StatusOr<bool>(absl::UnavailableError("roles down"));
        }).code() == absl::StatusCode::kUnavailable);
  CHECK_FALSE(TokenGrants(user, "users:read"));
}

TEST_CASE("service accounts hold nothing") {
  int asked = 0;
  auto roles = [&]() -> absl::StatusOr<bool> {
    ++asked;
    return true;
  };
  CHECK(RequirePermission(Make(auth::Caller::Kind::kService, {"*"}), "users:read", roles).code() ==
        absl::StatusCode::kPermissionDenied);
  CHECK(asked == 0);
}

}  // namespace
}  // namespace backoffice::authz
