#include "services/users/roles_authorizer.h"

#include "absl/strings/match.h"
#include "libs/authz/caller_permissions.h"

namespace backoffice::users {
namespace {

bool SameId(std::string_view a, std::string_view b) {
  return absl::EqualsIgnoreCase(absl::string_view(a.data(), a.size()),
                                absl::string_view(b.data(), b.size()));
}

}  // namespace

absl::Status RolesCallAuthorizer::Authorize(const auth::Caller& caller, std::string_view permission,
                                            std::string_view subject_user_id) const {
  if (permission == kPermSelf) return absl::OkStatus();
  if (caller.kind == auth::Caller::Kind::kUser && !subject_user_id.empty() &&
      SameId(subject_user_id, caller.id)) {
    return absl::OkStatus();
  }
  return authz::RequirePermission(caller, permission, [&]() -> absl::StatusOr<bool> {
    absl::StatusOr<authz::RolesPermissionsClient::Entry> held =
        permissions_.Of(caller.id, caller.authorization);
    if (!held.ok()) return held.status();
    return (*held)->Has(permission);
  });
}

}  // namespace backoffice::users
