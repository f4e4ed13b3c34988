#include "absl/strings/str_cat.h"
#include "libs/authz/caller_permissions.h"
#include "services/audit/permission_checker.h"

namespace backoffice::audit {
namespace {

class RolesPermissionChecker final : public PermissionChecker {
 public:
  explicit RolesPermissionChecker(authz::RolesPermissionsClient& permissions)
      : permissions_(permissions) {}

  // The platform's rule (authz::RequirePermission): users by their grants in the roles service,
  // external principals by their token's claim, service accounts never.
  absl::Status Require(const CallScope& call, std::string_view permission) override {
    return authz::RequirePermission(call.caller, permission, [&]() -> absl::StatusOr<bool> {
      absl::StatusOr<authz::RolesPermissionsClient::Entry> held =
          permissions_.Of(call.caller.id, call.authorization);
      if (!held.ok()) {
        if (held.status().code() == absl::StatusCode::kUnauthenticated) {
          return absl::UnauthenticatedError(
              absl::StrCat("roles service refused the token: ", held.status().message()));
        }
        return absl::UnavailableError(
            absl::StrCat("roles service cannot answer: ", held.status().message()));
      }
      return (*held)->Has(permission);
    });
  }

 private:
  authz::RolesPermissionsClient& permissions_;
};

}  // namespace

PermissionCheckerPtr MakeRolesPermissionChecker(authz::RolesPermissionsClient& permissions) {
  return std::make_unique<RolesPermissionChecker>(permissions);
}

}  // namespace backoffice::audit
