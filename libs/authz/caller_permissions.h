// The platform's one rule for what a verified caller may do, used by every service that
// authorizes calls (users, roles, audit) and matching the BFF's route authorization:
// - a service account holds no permission (services act for themselves through dedicated calls);
// - a principal of an external OpenID Connect issuer (auth::Caller::Kind::kExternal) holds what
//   its token's `permissions` claim lists ("*" standing for every permission, as the BFF's
//   http::ClaimAuthorizer reads it), and is never looked up in the roles service, where it has no
//   grants;
// - a user of the users service holds what the roles service grants: `held_by_roles` answers, and
//   is asked for those callers only.
//
//   absl::Status allowed = authz::RequirePermission(caller, "users:read", [&] {
//     return roles_client.Has(caller, "users:read");   // absl::StatusOr<bool>
//   });
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/auth/caller.h"

namespace backoffice::authz {

/// Whether a `permissions` claim grants `permission`: it lists it exactly, or lists "*".
bool ClaimGrants(const std::vector<std::string>& claim, std::string_view permission);

/// Whether `caller`'s token itself grants `permission`: only an external principal's can
/// (ClaimGrants over its `permissions` claim); false for users and service accounts.
bool TokenGrants(const auth::Caller& caller, std::string_view permission);

/// PERMISSION_DENIED "this call needs permission <permission>", error reason MISSING_PERMISSION.
absl::Status MissingPermission(std::string_view permission);

/// OK when `caller` holds `permission` by the rule above; MissingPermission when not;
/// `held_by_roles`'s error when the roles service cannot answer (callers refuse: fail closed).
absl::Status RequirePermission(const auth::Caller& caller, std::string_view permission,
                               absl::FunctionRef<absl::StatusOr<bool>()> held_by_roles);

}  // namespace backoffice::authz
