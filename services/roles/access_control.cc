#include "services/roles/access_control.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "libs/authz/caller_permissions.h"
#include "libs/errors/error_details.h"

namespace backoffice::roles {
namespace {

bool IsUser(const auth::Caller& caller) { return caller.kind == auth::Caller::Kind::kUser; }

}  // namespace

absl::StatusOr<PermissionCache::Entry> AccessControl::Effective(std::string_view user_id) {
  // One key per user: invalidations name the canonical (lower-case) id, so an answer cached
  // under another spelling would outlive a revoke.
  absl::StatusOr<std::string> canonical = CanonicalId(user_id, "user_id");
  if (!canonical.ok()) return canonical.status();
  if (PermissionCache::Entry hit = deps_.cache.Find(*canonical, absl::Now())) {
    return hit;
  }
  uint64_t generation = deps_.cache.generation();
  absl::StatusOr<EffectivePermissions> loaded = deps_.grants.Effective(*canonical);
  if (!loaded.ok()) return loaded.status();
  auto entry = std::make_shared<const EffectivePermissions>(*std::move(loaded));
  deps_.cache.Insert(*canonical, entry, generation);
  return entry;
}

absl::StatusOr<CheckResult> AccessControl::Check(std::string_view user_id,
                                                 std::string_view permission,
                                                 std::string_view field) {
  if (absl::Status s = ValidatePermissionName(permission, field); !s.ok()) return s;
  absl::StatusOr<PermissionCache::Entry> effective = Effective(user_id);
  if (!effective.ok()) return effective.status();
  auto it = (*effective)->carried_by.find(Absl(permission));
  if (it == (*effective)->carried_by.end()) {
    return CheckResult{};
  }
  return CheckResult{.allowed = true, .matched_role_id = it->second};
}

absl::Status AccessControl::Require(const auth::Caller& caller, std::string_view permission) {
  return authz::RequirePermission(caller, permission, [&]() -> absl::StatusOr<bool> {
    absl::StatusOr<CheckResult> result = Check(caller.id, permission);
    if (!result.ok()) return result.status();
    return result->allowed;
  });
}

absl::Status AccessControl::RequireSelfOr(const auth::Caller& caller,
                                          std::string_view subject_user_id,
                                          std::string_view permission) {
  if (IsUser(caller) && !subject_user_id.empty()) {
    absl::StatusOr<std::string> subject = CanonicalId(subject_user_id, "user_id");
    absl::StatusOr<std::string> self = CanonicalId(caller.id, "sub");
    if (subject.ok() && self.ok() && *subject == *self) return absl::OkStatus();
  }
  return Require(caller, permission);
}

absl::Status AccessControl::CheckNoEscalation(const auth::Caller& caller,
                                              std::vector<std::string> needed,
                                              std::string_view what) {
  std::sort(needed.begin(), needed.end());
  needed.erase(std::unique(needed.begin(), needed.end()), needed.end());
  std::vector<std::string> missing;
  if (!IsUser(caller)) {
    // An external principal holds its token's claim; a service account nothing.
    for (const std::string& permission : needed) {
      if (!authz::TokenGrants(caller, permission)) missing.push_back(permission);
    }
  } else {
    absl::StatusOr<PermissionCache::Entry> held = Effective(caller.id);
    if (!held.ok()) return held.status();
    for (const std::string& permission : needed) {
      if (!(*held)->Has(permission)) missing.push_back(permission);
    }
  }
  if (missing.empty()) return absl::OkStatus();
  // admin holds the whole catalog: names outside it are the store's INVALID_ARGUMENT to give.
  absl::StatusOr<std::vector<std::string>> catalog = deps_.roles.CarriedPermissions(kAdminRoleId);
  if (!catalog.ok()) return catalog.status();
  missing.erase(std::remove_if(missing.begin(), missing.end(),
                               [&](const std::string& p) {
                                 return !std::binary_search(catalog->begin(), catalog->end(), p);
                               }),
                missing.end());
  if (missing.empty()) return absl::OkStatus();
  return errors::WithErrorReason(
      absl::PermissionDeniedError(absl::StrCat(
          Absl(what), " carries permissions you do not hold: ", absl::StrJoin(missing, ", "))),
      "ESCALATION");
}

absl::StatusOr<GrantResult> AccessControl::GrantRole(const auth::Caller& caller,
                                                     std::string_view authorization,
                                                     const GrantRequest& request,
                                                     const Actor& actor) {
  absl::StatusOr<std::string> user = CanonicalId(request.user_id, "user_id");
  if (!user.ok()) return user.status();
  absl::StatusOr<std::vector<std::string>> carried =
      deps_.roles.CarriedPermissions(request.role_id);
  if (!carried.ok()) {
    if (carried.status().code() == absl::StatusCode::kNotFound) {
      return absl::NotFoundError(absl::StrCat("role_id: no role ", request.role_id));
    }
    if (carried.status().code() == absl::StatusCode::kInvalidArgument) {
      return CanonicalId(request.role_id, "role_id").status();
    }
    return carried.status();
  }
  if (absl::Status s = CheckNoEscalation(caller, *carried, "role_id: the role"); !s.ok()) {
    return s;
  }
  if (absl::Status s = deps_.users.CheckUserExists(*user, authorization); !s.ok()) return s;
  std::vector<std::string> active_admins;
  if (request.expire_time.has_value() &&
      CanonicalId(request.role_id, "role_id").value_or("") == kAdminRoleId) {
    absl::StatusOr<std::vector<std::string>> active = ActiveAdminsBesides(*user, authorization);
    if (!active.ok()) return active.status();
    active_admins = *std::move(active);
  }
  absl::StatusOr<GrantResult> granted = deps_.grants.GrantRole(request, actor, active_admins);
  if (granted.ok()) deps_.cache.Invalidate(*user);
  return granted;
}

absl::StatusOr<std::vector<std::string>> AccessControl::ActiveAdminsBesides(
    std::string_view user_id, std::string_view authorization) {
  absl::StatusOr<std::vector<std::string>> holders =
      deps_.grants.ListOtherActiveHolders(kAdminRoleId, user_id);
  if (!holders.ok() || holders->empty()) return holders;
  absl::StatusOr<std::vector<std::string>> active =
      deps_.users.ActiveUsers(*holders, authorization);
  if (!active.ok()) return active.status();
  // Only ids the store listed go back to it (they are its own, well-formed).
  absl::flat_hash_set<std::string> reported(active->begin(), active->end());
  std::vector<std::string> kept;
  for (std::string& holder : *holders) {
    if (reported.contains(holder)) kept.push_back(std::move(holder));
  }
  return kept;
}

absl::Status AccessControl::RevokeRole(std::string_view user_id, std::string_view role_id,
                                       std::string_view reason, const Actor& actor,
                                       std::string_view authorization) {
  std::vector<std::string> active_admins;
  absl::StatusOr<std::string> role = CanonicalId(role_id, "role_id");
  if (role.ok() && *role == kAdminRoleId) {
    absl::StatusOr<std::string> user = CanonicalId(user_id, "user_id");
    if (!user.ok()) return user.status();
    absl::StatusOr<std::vector<std::string>> active = ActiveAdminsBesides(*user, authorization);
    if (!active.ok()) return active.status();
    active_admins = *std::move(active);
  }
  absl::Status revoked = deps_.grants.RevokeRole(user_id, role_id, reason, actor, active_admins);
  if (revoked.ok()) {
    absl::StatusOr<std::string> user = CanonicalId(user_id, "user_id");
    if (user.ok()) deps_.cache.Invalidate(*user);
  }
  return revoked;
}

absl::StatusOr<Role> AccessControl::CreateRole(const auth::Caller& caller, const RoleFields& fields,
                                               const Actor& actor, std::string_view request_id) {
  std::vector<std::string> needed = fields.permissions;
  for (const std::string& parent : fields.parent_ids) {
    absl::StatusOr<std::vector<std::string>> carried = deps_.roles.CarriedPermissions(parent);
    if (!carried.ok()) continue;  // the store names a missing or malformed parent
    needed.insert(needed.end(), carried->begin(), carried->end());
  }
  if (absl::Status s = CheckNoEscalation(caller, needed, "role.permissions: the role"); !s.ok()) {
    return s;
  }
  return deps_.roles.Create(fields, actor, request_id);
}

absl::StatusOr<Role> AccessControl::UpdateRole(const auth::Caller& caller, const RoleUpdate& update,
                                               const Actor& actor) {
  bool all = std::find(update.update_mask.begin(), update.update_mask.end(), "*") !=
             update.update_mask.end();
  auto masked = [&](const char* field) {
    return all || std::find(update.update_mask.begin(), update.update_mask.end(), field) !=
                      update.update_mask.end();
  };
  if (masked("permissions") || masked("parent_role_ids")) {
    absl::StatusOr<Role> current = deps_.roles.Get(update.id);
    if (!current.ok()) {
      return current.status().code() == absl::StatusCode::kInvalidArgument
                 ? CanonicalId(update.id, "role.id").status()
                 : current.status();
    }
    std::vector<std::string> needed =
        masked("permissions") ? update.fields.permissions : current->permissions;
    const std::vector<std::string>& parents =
        masked("parent_role_ids") ? update.fields.parent_ids : current->parent_ids;
    for (const std::string& parent : parents) {
      absl::StatusOr<std::vector<std::string>> carried = deps_.roles.CarriedPermissions(parent);
      if (!carried.ok()) continue;
      needed.insert(needed.end(), carried->begin(), carried->end());
    }
    if (absl::Status s = CheckNoEscalation(caller, needed, "role.permissions: the role"); !s.ok()) {
      return s;
    }
  }
  absl::StatusOr<RoleChange> change = deps_.roles.Update(update, actor);
  if (!change.ok()) return change.status();
  if (change->affects_permissions) deps_.cache.InvalidateAll();
  return change->role;
}

absl::Status AccessControl::DeleteRole(std::string_view id, std::optional<int64_t> expected_version,
                                       bool force, const Actor& actor) {
  absl::StatusOr<RoleChange> change = deps_.roles.Delete(id, expected_version, force, actor);
  if (!change.ok()) return change.status();
  if (change->affects_permissions) deps_.cache.InvalidateAll();
  return absl::OkStatus();
}

}  // namespace backoffice::roles
