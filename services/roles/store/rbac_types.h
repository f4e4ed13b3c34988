// Domain types of the roles store: permissions, roles, grants, effective permissions and who is
// acting. Not proto types: the gRPC layer maps between the two (role_mapping.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace backoffice::roles {

/// Fixed ids of the system roles seeded by migration 0003.
inline constexpr char kAdminRoleId[] = "01900000-0000-7000-8000-000000000001";
inline constexpr char kOperatorRoleId[] = "01900000-0000-7000-8000-000000000002";
inline constexpr char kViewerRoleId[] = "01900000-0000-7000-8000-000000000003";

/// Limits from roles.proto.
inline constexpr int kMaxRolePermissions = 500;
inline constexpr int kMaxParents = 10;
/// The longest inheritance chain, in roles.
inline constexpr int kMaxChainLength = 8;
inline constexpr int kMaxGrantsPerUser = 100;
inline constexpr int kMaxRegisterPermissions = 500;

/// Who performs a change; recorded on the outbox event of every mutation.
struct Actor {
  /// "user", "service" or "system".
  std::string type = "system";
  std::string id;
  std::string request_id;
  std::string trace_id;
};

/// One catalog entry.
struct Permission {
  /// `resource:action`.
  std::string name;
  std::string description;
  /// The service that registered it ("platform" for the seeded catalog).
  std::string registered_by;
  absl::Time create_time;
  absl::Time update_time;
};

/// A role with its direct permissions and parents.
struct Role {
  std::string id;
  std::string name;
  std::string display_name;
  std::string description;
  bool system = false;
  /// Direct permissions, sorted.
  std::vector<std::string> permissions;
  /// Direct parents' ids, sorted.
  std::vector<std::string> parent_ids;
  /// Unexpired grants of this role.
  int64_t member_count = 0;
  int64_t version = 0;
  absl::Time create_time;
  absl::Time update_time;
};

/// The fields a caller sets on CreateRole / UpdateRole.
struct RoleFields {
  std::string name;
  /// Empty means `name` on create.
  std::string display_name;
  std::string description;
  std::vector<std::string> permissions;
  std::vector<std::string> parent_ids;
};

/// Input of RoleStore::Update.
struct RoleUpdate {
  std::string id;
  RoleFields fields;
  /// name, display_name, description, permissions, parent_role_ids, or "*".
  std::vector<std::string> update_mask;
  /// Apply only at this version (the etag's); empty for unconditional.
  std::optional<int64_t> expected_version;
};

/// A role held by a user.
struct Grant {
  std::string id;
  std::string user_id;
  std::string role_id;
  /// "<actor type>:<actor id>".
  std::string granted_by;
  std::string reason;
  absl::Time create_time;
  std::optional<absl::Time> expire_time;
  /// expire_time has passed (as of the query).
  bool expired = false;
};

/// Input of GrantStore::Grant.
struct GrantRequest {
  std::string user_id;
  std::string role_id;
  std::optional<absl::Time> expire_time;
  std::string reason;
};

/// Everything a user may do now: the union over unexpired grants and all ancestors.
struct EffectivePermissions {
  /// Sorted, deduplicated.
  std::vector<std::string> permissions;
  /// Held roles, direct and inherited, sorted.
  std::vector<std::string> role_ids;
  /// Permission -> id of a role that carries it (the smallest id, so answers are stable).
  absl::flat_hash_map<std::string, std::string> carried_by;
  /// Earliest expiry among the unexpired grants; nullopt when none expires. The answer is valid
  /// until then at most.
  std::optional<absl::Time> valid_until;

  /// True if `permission` is among `permissions`.
  bool Has(std::string_view permission) const;
};

/// The opaque etag for a version: "v<version>".
std::string EtagForVersion(int64_t version);

/// The version an etag names: INVALID_ARGUMENT (field `field`) if it was not made by
/// EtagForVersion.
absl::StatusOr<int64_t> VersionFromEtag(std::string_view etag, std::string_view field = "etag");

/// OK if `name` is `resource:action` (`^[a-z][a-z_]*:[a-z][a-z_]*$`, at most 128 bytes), else
/// INVALID_ARGUMENT "<field>: ...".
absl::Status ValidatePermissionName(std::string_view name, std::string_view field);

/// The canonical text of a UUID, or INVALID_ARGUMENT "<field>: must be a UUID ...".
absl::StatusOr<std::string> CanonicalId(std::string_view id, std::string_view field);

/// Debian's Abseil has its own string_view: the explicit conversion.
inline absl::string_view Absl(std::string_view text) { return {text.data(), text.size()}; }

}  // namespace backoffice::roles
