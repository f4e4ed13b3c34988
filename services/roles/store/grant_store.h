// Grants of roles to users and what they add up to (schema `roles`, table `grants`).
//
//   GrantStore grants(pool);
//   absl::StatusOr<GrantResult> g = grants.GrantRole({.user_id = u, .role_id = r}, actor);
//   absl::StatusOr<EffectivePermissions> e = grants.Effective(u);
//   absl::Status revoked = grants.RevokeRole(u, r, "left the team", actor);
//
// Every grant and revoke writes `grant.added` / `grant.revoked` to the outbox and notifies
// `roles_changed` with the user's id, in its transaction.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/pg/pool.h"
#include "services/roles/store/rbac_types.h"

namespace backoffice::roles {

/// Outcome of Grant.
struct GrantResult {
  Grant grant;
  /// False when the user already held the role (its expiry and reason were updated).
  bool created = false;
};

/// ListRoleMembers input.
struct ListMembersRequest {
  std::string role_id;
  /// Also grants of roles inheriting from this one (any depth).
  bool include_inherited = false;
  bool include_expired = false;
  /// create_time order; newest first unless false.
  bool descending = true;
  int page_size = 0;
  std::string page_token;
  int offset = 0;
};

/// A page of grants.
struct MemberPage {
  std::vector<Grant> grants;
  std::string next_page_token;
  /// Exact.
  int64_t total_size = 0;
};

/// Thread-safe. Pool sessions must have search_path = roles.
class GrantStore final {
 public:
  explicit GrantStore(pg::Pool& pool) : pool_(pool) {}

  /// Grants a role, or refreshes an existing grant's expiry, reason and grantor. Does not check
  /// the user exists or the actor may grant it (AccessControl does). INVALID_ARGUMENT `user_id`,
  /// `role_id`, `expire_time` (past, or more than 5 years away), `reason` (> 500 characters);
  /// NOT_FOUND the role; FAILED_PRECONDITION the user already holds 100 roles.
  /// Shortening the user's unexpired `admin` grant (a new expire_time earlier than the current
  /// one, or the first one) is a revocation to come: FAILED_PRECONDITION (reason LAST_ADMIN)
  /// unless another unexpired admin grant is held by one of `active_admin_ids` (as RevokeRole).
  absl::StatusOr<GrantResult> GrantRole(const GrantRequest& request, const Actor& actor,
                                        const std::vector<std::string>& active_admin_ids = {});

  /// Removes a grant. NOT_FOUND when the user does not hold the role. For an unexpired grant of
  /// `admin`: FAILED_PRECONDITION (reason LAST_ADMIN) unless another unexpired admin grant is held
  /// by one of `active_admin_ids`, the other holders the users service reports ACTIVE
  /// (AccessControl asks it; ids absent from the list count as inactive, so an empty list refuses
  /// the last-admin revoke closed). Revocations of admin grants serialize on the admin role's row
  /// lock, so two concurrent revocations cannot both pass the check.
  absl::Status RevokeRole(std::string_view user_id, std::string_view role_id,
                          std::string_view reason, const Actor& actor,
                          const std::vector<std::string>& active_admin_ids = {});

  /// Users other than `user_id` holding `role_id` by an unexpired grant, by id: the candidates
  /// the last-admin check asks the users service about. INVALID_ARGUMENT malformed ids.
  absl::StatusOr<std::vector<std::string>> ListOtherActiveHolders(std::string_view role_id,
                                                                  std::string_view user_id);

  /// A user's direct grants ordered by role name.
  absl::StatusOr<std::vector<Grant>> ListUserGrants(std::string_view user_id, bool include_expired);

  /// A role's grants, keyset-paged by (create_time, id), with an exact total. NOT_FOUND role.
  absl::StatusOr<MemberPage> ListMembers(const ListMembersRequest& request);

  /// The user's effective permissions now (unexpired grants, inheritance resolved).
  absl::StatusOr<EffectivePermissions> Effective(std::string_view user_id);

  /// Grants `admin` to `user_id` if no admin grant exists at all (under the admin role's lock);
  /// true if it did.
  absl::StatusOr<bool> BootstrapAdmin(std::string_view user_id, const Actor& actor);

 private:
  pg::Pool& pool_;
};

}  // namespace backoffice::roles
