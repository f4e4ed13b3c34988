// The roles service's logic over its stores: effective permissions through the cache, Check,
// the authorization of callers (the service asks its own store what a caller holds), and the
// rules that sit above the store: no escalation (a caller grants, or builds into a role, only
// permissions they hold themselves) and grants only to users the users service knows.
//
//   AccessControl access({.roles = roles, .grants = grants, .cache = cache, .users = directory});
//   absl::StatusOr<CheckResult> r = access.Check(user_id, "users:read");
//   absl::Status ok = access.Require(caller, "roles:grant");
//   absl::StatusOr<GrantResult> g = access.GrantRole(caller, authorization, request, actor);
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/auth/caller.h"
#include "services/roles/permission_cache.h"
#include "services/roles/store/grant_store.h"
#include "services/roles/store/role_store.h"
#include "services/roles/user_directory.h"

namespace backoffice::roles {

/// Permission names of the roles service's own calls (docs/api/roles.md).
inline constexpr char kPermRolesRead[] = "roles:read";
inline constexpr char kPermRolesWrite[] = "roles:write";
inline constexpr char kPermRolesGrant[] = "roles:grant";

/// What AccessControl works with; all must outlive it.
struct AccessControlDeps {
  RoleStore& roles;
  GrantStore& grants;
  PermissionCache& cache;
  UserDirectory& users;
};

/// Answer of Check.
struct CheckResult {
  bool allowed = false;
  /// When allowed: a role carrying the permission.
  std::string matched_role_id;
};

/// Thread-safe.
class AccessControl final {
 public:
  explicit AccessControl(AccessControlDeps deps) : deps_(deps) {}

  /// The user's effective permissions, from the cache or resolved and cached.
  absl::StatusOr<PermissionCache::Entry> Effective(std::string_view user_id);

  /// Whether `user_id` holds `permission` (an exact `resource:action`; an unknown one is simply
  /// not held). INVALID_ARGUMENT `field` for a malformed name.
  absl::StatusOr<CheckResult> Check(std::string_view user_id, std::string_view permission,
                                    std::string_view field = "permission");

  /// OK if `caller` holds `permission` by the platform's rule (libs/authz/caller_permissions.h):
  /// a user by their grants here, an external principal by its token's `permissions` claim
  /// (it has no grants here); PERMISSION_DENIED (reason MISSING_PERMISSION) naming it otherwise.
  /// Service accounts hold nothing here.
  absl::Status Require(const auth::Caller& caller, std::string_view permission);

  /// OK for a user's own `subject_user_id`, else Require(permission).
  absl::Status RequireSelfOr(const auth::Caller& caller, std::string_view subject_user_id,
                             std::string_view permission);

  /// GrantStore::GrantRole after: the role exists (NOT_FOUND), the caller holds every permission
  /// it carries (an external principal: in its token's claim), inherited ones included
  /// (PERMISSION_DENIED, reason ESCALATION, naming the
  /// missing ones), and the users service knows the user (NOT_FOUND). An `admin` grant with an
  /// expiry may shorten the user's admin grant: the store's last-admin check then counts only
  /// the other holders the users service reports active (ActiveAdminsBesides). Drops the user's
  /// cached answer after commit.
  absl::StatusOr<GrantResult> GrantRole(const auth::Caller& caller, std::string_view authorization,
                                        const GrantRequest& request, const Actor& actor);

  /// GrantStore::RevokeRole, then drops the user's cached answer. Revoking `admin`: the store's
  /// last-admin check counts only the other holders the users service (asked with the caller's
  /// `authorization`) reports ACTIVE, so a deleted or disabled admin does not let the last active
  /// one go; when the users service cannot answer the revoke fails (UNAVAILABLE /
  /// DEADLINE_EXCEEDED / PERMISSION_DENIED), never proceeds unchecked. Other roles never ask it.
  absl::Status RevokeRole(std::string_view user_id, std::string_view role_id,
                          std::string_view reason, const Actor& actor,
                          std::string_view authorization);

  /// RoleStore::Create (with the caller's idempotency key `request_id`, "" for none) after the
  /// escalation check over the new role's permissions and its parents' carried permissions.
  absl::StatusOr<Role> CreateRole(const auth::Caller& caller, const RoleFields& fields,
                                  const Actor& actor, std::string_view request_id = {});

  /// RoleStore::Update (escalation-checked when permissions or parents change); drops every
  /// cached answer when permissions or edges changed.
  absl::StatusOr<Role> UpdateRole(const auth::Caller& caller, const RoleUpdate& update,
                                  const Actor& actor);

  /// RoleStore::Delete; drops every cached answer when grants or children went with it.
  absl::Status DeleteRole(std::string_view id, std::optional<int64_t> expected_version, bool force,
                          const Actor& actor);

 private:
  // The users other than `user_id` holding an unexpired admin grant whose accounts the users
  // service reports ACTIVE; its errors as they come.
  absl::StatusOr<std::vector<std::string>> ActiveAdminsBesides(std::string_view user_id,
                                                               std::string_view authorization);

  // PERMISSION_DENIED naming what of `needed` the caller lacks (names outside the catalog are
  // left to the store, which refuses them as unknown).
  absl::Status CheckNoEscalation(const auth::Caller& caller, std::vector<std::string> needed,
                                 std::string_view what);

  AccessControlDeps deps_;
};

}  // namespace backoffice::roles
