#include "libs/authz/user_permissions.h"

#include <algorithm>

namespace backoffice::authz {

bool UserPermissions::Has(std::string_view permission) const {
  return std::binary_search(permissions.begin(), permissions.end(), permission);
}

UserPermissions UserPermissions::FromProto(
    const roles::v1::GetEffectivePermissionsResponse& answer) {
  UserPermissions out;
  out.permissions.assign(answer.permissions().begin(), answer.permissions().end());
  std::sort(out.permissions.begin(), out.permissions.end());
  out.role_ids.assign(answer.role_ids().begin(), answer.role_ids().end());
  if (answer.has_valid_until()) {
    out.valid_until = absl::FromUnixSeconds(answer.valid_until().seconds()) +
                      absl::Nanoseconds(answer.valid_until().nanos());
  }
  return out;
}

}  // namespace backoffice::authz
