#include "libs/authz/caller_permissions.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "libs/errors/error_details.h"

namespace backoffice::authz {

bool ClaimGrants(const std::vector<std::string>& claim, std::string_view permission) {
  return std::any_of(claim.begin(), claim.end(), [permission](const std::string& held) {
    return held == permission || held == "*";
  });
}

bool TokenGrants(const auth::Caller& caller, std::string_view permission) {
  return caller.kind == auth::Caller::Kind::kExternal &&
         ClaimGrants(caller.permissions, permission);
}

absl::Status MissingPermission(std::string_view permission) {
  return errors::WithErrorReason(
      absl::PermissionDeniedError(absl::StrCat(
          "this call needs permission ", absl::string_view(permission.data(), permission.size()))),
      "MISSING_PERMISSION");
}

absl::Status RequirePermission(const auth::Caller& caller, std::string_view permission,
                               absl::FunctionRef<absl::StatusOr<bool>()> held_by_roles) {
  switch (caller.kind) {
    case auth::Caller::Kind::kService:
      return MissingPermission(permission);
    case auth::Caller::Kind::kExternal:
      return TokenGrants(caller, permission) ? absl::OkStatus() : MissingPermission(permission);
    case auth::Caller::Kind::kUser:
      break;
  }
  absl::StatusOr<bool> held = held_by_roles();
  if (!held.ok()) return held.status();
  return *held ? absl::OkStatus() : MissingPermission(permission);
}

}  // namespace backoffice::authz
