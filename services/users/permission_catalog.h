// The permissions the users service checks (call_guard.h names them per call), with the
// descriptions it registers in the roles service's catalog at start.
#pragma once

#include <string>
#include <vector>

#include "libs/authz/permission_registrar.h"
#include "services/users/call_guard.h"

namespace backoffice::users {

inline std::vector<authz::PermissionSpec> UsersPermissionCatalog() {
  return {
      {std::string(kPermUsersRead), "Read user accounts (get, list, lockout state)"},
      {std::string(kPermUsersWrite),
       "Create and update accounts, disable/enable, set or reset passwords"},
      {std::string(kPermUsersDelete), "Delete and restore accounts"},
      {std::string(kPermUsersImport), "Import accounts from CSV"},
      {std::string(kPermUsersExport), "Export accounts to CSV"},
      {std::string(kPermUsersUnlock), "Clear a login lockout"},
      {std::string(kPermSessionsRead), "List other users' sessions"},
      {std::string(kPermSessionsRevoke), "End other users' sessions"},
      {std::string(kPermKeysManage), "List and rotate token signing keys"},
  };
}

}  // namespace backoffice::users
