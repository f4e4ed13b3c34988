// Roles and their inheritance edges (schema `roles`): create, read, list, update, delete, with
// optimistic concurrency, cycle refusal and an outbox event in the same transaction as every
// change.
//
//   RoleStore roles(pool);
//   absl::StatusOr<Role> role = roles.Create({.name = "support", .permissions = {"users:read"}},
//                                            actor);
//   absl::StatusOr<Role> again = roles.Create({...}, actor, "retry-key-1");  // idempotent
//   absl::StatusOr<Role> updated = roles.Update({.id = role->id, .fields = {...},
//                                                .update_mask = {"parent_role_ids"}}, actor);
//
// Every write that changes permissions or edges takes one transaction-scoped advisory lock (the
// "graph lock") before reading the graph, so the cycle check of one writer always sees the edges
// another committed: two concurrent edge additions cannot close a cycle together.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/pg/pool.h"
#include "services/roles/store/rbac_types.h"

namespace backoffice::roles {

/// ListRoles input.
struct ListRolesRequest {
  enum class Kind { kAll, kSystem, kCustom };
  /// Case-insensitive substring of name, display_name or description (<= 200 characters).
  std::string query;
  Kind kind = Kind::kAll;
  /// Only these ids (<= 500).
  std::vector<std::string> ids;
  /// Only roles holding this permission directly.
  std::string permission;
  /// Name order, ascending unless set.
  bool descending = false;
  int page_size = 0;
  std::string page_token;
  int offset = 0;
};

/// A page of roles.
struct RolePage {
  std::vector<Role> roles;
  std::string next_page_token;
  /// Exact.
  int64_t total_size = 0;
};

/// What a change did to effective permissions, so callers can drop cached answers at once.
struct RoleChange {
  Role role;
  /// True if permissions or edges changed (anyone's effective permissions may differ).
  bool affects_permissions = false;
};

/// RoleStore settings.
struct RoleStoreOptions {
  /// How long a Create request_id is remembered.
  absl::Duration idempotency_ttl = absl::Hours(24);
};

/// Thread-safe. Pool sessions must have search_path = roles.
class RoleStore final {
 public:
  explicit RoleStore(pg::Pool& pool, RoleStoreOptions options = {})
      : pool_(pool), options_(options) {}

  /// Creates a custom role (UUIDv7, version 1) and writes `role.created`. INVALID_ARGUMENT:
  /// `role.name` (2-64 bytes of [A-Za-z0-9_-], starting with a letter), `role.display_name`
  /// (<= 100 characters), `role.description` (<= 1000), `role.permissions[i]` malformed or not
  /// in the catalog (the message names it), more than 500 permissions or 10 parents;
  /// NOT_FOUND `role.parent_role_ids[i]`; ALREADY_EXISTS `role.name` (case-insensitive);
  /// FAILED_PRECONDITION a chain longer than 8 roles.
  ///
  /// `request_id` is the caller's idempotency key (CreateRoleRequest.request_id, at most 128
  /// bytes, else INVALID_ARGUMENT `request_id`; empty for none; not Actor::request_id). A retry by
  /// the same actor (type and id) with the same normalized fields within idempotency_ttl returns
  /// the role the first call created, in its current state, and writes nothing (no second role,
  /// no second event); concurrent calls with one key create one role. The same key with other
  /// fields is ALREADY_EXISTS naming `request_id`; NOT_FOUND naming `request_id` if the first
  /// call's role has been deleted since.
  absl::StatusOr<Role> Create(const RoleFields& fields, const Actor& actor,
                              std::string_view request_id = {});

  /// One role by id (field `id`) or by name (case-insensitive). NOT_FOUND.
  absl::StatusOr<Role> Get(std::string_view id);
  absl::StatusOr<Role> GetByName(std::string_view name);

  /// One page by name (default 50). INVALID_ARGUMENT for filters and paging.
  absl::StatusOr<RolePage> List(const ListRolesRequest& request);

  /// Changes the masked fields. Events: `role.updated` (name, display_name, description),
  /// `role.permission_added` / `role.permission_removed` (one per permission),
  /// `role.inheritance_changed` (before/after parents). NOT_FOUND; ABORTED (ETAG_MISMATCH);
  /// FAILED_PRECONDITION: renaming a system role or changing its permissions or parents,
  /// a cycle (reason CYCLE, message "... a -> b -> a"), a chain longer than 8; and Create's
  /// field errors. Nothing changed: nothing written, the current role returned.
  absl::StatusOr<RoleChange> Update(const RoleUpdate& update, const Actor& actor);

  /// Deletes a custom role and writes `role.deleted`. With `force`, its grants and child edges
  /// go too; without, FAILED_PRECONDITION while any exist. FAILED_PRECONDITION for system roles;
  /// NOT_FOUND; ABORTED (ETAG_MISMATCH).
  absl::StatusOr<RoleChange> Delete(std::string_view id, std::optional<int64_t> expected_version,
                                    bool force, const Actor& actor);

  /// Every permission the role carries, its own and inherited (sorted). NOT_FOUND.
  absl::StatusOr<std::vector<std::string>> CarriedPermissions(std::string_view role_id);

 private:
  pg::Pool& pool_;
  const RoleStoreOptions options_;
};

}  // namespace backoffice::roles
