// The users service's authorization hook, by the platform's rule (libs/authz/caller_permissions.h):
// a user of this service may exercise a permission when the roles service lists it among their
// effective permissions (asked with the caller's own token, cached by
// authz::RolesPermissionsClient and kept exact by a PermissionWatcher when the service has a
// service key); a principal of an external OpenID Connect issuer when its token's `permissions`
// claim lists it (never asked of the roles service). Calls on the caller's own account ("or
// self", users only: an external principal has no account here) and kPermSelf calls need no
// permission. Service accounts hold none here. When the roles service cannot answer, the call is
// refused with its status (UNAVAILABLE): fail closed.
//
//   auto authorizer = std::make_unique<RolesCallAuthorizer>(permissions_client);
//   CallGuard guard(authenticator, std::move(authorizer));
#pragma once

#include <string_view>

#include "libs/authz/roles_permissions_client.h"
#include "services/users/call_guard.h"

namespace backoffice::users {

/// Thread-safe.
class RolesCallAuthorizer final : public CallAuthorizer {
 public:
  /// `permissions` must outlive the authorizer.
  explicit RolesCallAuthorizer(authz::RolesPermissionsClient& permissions)
      : permissions_(permissions) {}

  absl::Status Authorize(const auth::Caller& caller, std::string_view permission,
                         std::string_view subject_user_id) const override;

 private:
  authz::RolesPermissionsClient& permissions_;
};

}  // namespace backoffice::users
