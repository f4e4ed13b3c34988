// A user's effective permissions as the roles service answers them
// (RolesService.GetEffectivePermissions), in the shape callers cache and check.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "proto/roles/v1/roles.pb.h"

namespace backoffice::authz {

struct UserPermissions {
  /// Sorted.
  std::vector<std::string> permissions;
  /// Held roles, direct and inherited.
  std::vector<std::string> role_ids;
  /// The earliest grant expiry that contributed; the answer must not be used after it.
  std::optional<absl::Time> valid_until;

  /// Binary search in `permissions`.
  bool Has(std::string_view permission) const;

  static UserPermissions FromProto(const roles::v1::GetEffectivePermissionsResponse& answer);
};

}  // namespace backoffice::authz
