// Test fixture: a fresh database migrated with the users service's migrations, a pool whose
// sessions use search_path = users, and helpers to look at the outbox.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "libs/pg/pool.h"
#include "libs/pg/result.h"
#include "services/users/store/user.h"
#include "services/users/store/user_store.h"

namespace backoffice::users::testing {

class StoreFixture {
 public:
  explicit StoreFixture(UserStoreOptions options = {}, int pool_size = 4);

  pg::Pool& pool() { return *pool_; }
  UserStore& store() { return *store_; }

  /// Runs one statement on a pooled connection; fails the test on error.
  pg::Result Query(const std::string& sql, const pg::Params& params = {});
  int64_t Count(const std::string& sql, const pg::Params& params = {});

  /// Outbox event types in position order.
  std::vector<std::string> EventTypes();

  /// A user created through the store with email "<name>@example.com".
  User CreateUser(const std::string& name, const Actor& actor = Actor{});

 private:
  std::unique_ptr<pg::Pool> pool_;
  std::unique_ptr<UserStore> store_;
};

/// An administrator acting through the console.
Actor AdminActor();

}  // namespace backoffice::users::testing
