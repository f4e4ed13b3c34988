#include "absl/strings/str_cat.h"
#include "libs/errors/error_details.h"
#include "services/audit/permission_checker.h"

namespace backoffice::audit {
namespace {

absl::Status Missing(std::string_view permission) {
  return errors::WithErrorReason(
      absl::PermissionDeniedError(absl::StrCat(
          "missing permission ", absl::string_view(permission.data(), permission.size()))),
      "MISSING_PERMISSION");
}

class RolesPermissionChecker final : public PermissionChecker {
 public:
  explicit RolesPermissionChecker(authz::RolesPermissionsClient& permissions)
      : permissions_(permissions) {}

  absl::Status Require(const CallScope& call, std::string_view permission) override {
    if (call.caller.kind == auth::Caller::Kind::kService) return Missing(permission);
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
    if (!(*held)->Has(permission)) return Missing(permission);
    return absl::OkStatus();
  }

 private:
  authz::RolesPermissionsClient& permissions_;
};

}  // namespace

PermissionCheckerPtr MakeRolesPermissionChecker(authz::RolesPermissionsClient& permissions) {
  return std::make_unique<RolesPermissionChecker>(permissions);
}

}  // namespace backoffice::audit
