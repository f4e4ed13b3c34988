// Test fixture: a fresh database migrated with the roles service's migrations, a pool whose
// sessions use search_path = roles, the three stores, and helpers.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "libs/pg/pool.h"
#include "libs/pg/result.h"
#include "services/roles/store/grant_store.h"
#include "services/roles/store/permission_store.h"
#include "services/roles/store/role_store.h"

namespace backoffice::roles::testing {

class StoreFixture {
 public:
  explicit StoreFixture(int pool_size = 6);

  pg::Pool& pool() { return *pool_; }
  RoleStore& roles() { return *roles_; }
  GrantStore& grants() { return *grants_; }
  PermissionStore& permissions() { return *permissions_; }
  /// The database, for a second pool or a LISTEN connection.
  const pg::ConnectionOptions& connection() const { return connection_; }

  /// Runs one statement; fails the test on error.
  pg::Result Query(const std::string& sql, const pg::Params& params = {});
  int64_t Count(const std::string& sql, const pg::Params& params = {});
  /// Outbox event types in position order.
  std::vector<std::string> EventTypes();

  /// Creates a custom role; fails the test on error.
  Role MakeRole(const std::string& name, std::vector<std::string> permissions,
                std::vector<std::string> parents = {});
  /// Grants; fails the test on error.
  Grant MakeGrant(const std::string& user_id, const std::string& role_id);

 private:
  pg::ConnectionOptions connection_;
  std::unique_ptr<pg::Pool> pool_;
  std::unique_ptr<RoleStore> roles_;
  std::unique_ptr<GrantStore> grants_;
  std::unique_ptr<PermissionStore> permissions_;
};

/// An administrator acting through the console.
Actor AdminActor();

/// A fresh UUIDv7 as text.
std::string NewId();

}  // namespace backoffice::roles::testing
