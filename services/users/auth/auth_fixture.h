// Test fixture for the sign-in classes: a fresh database migrated with the users service's
// migrations, a pool whose sessions use search_path = users, a SecretBox with a fixed test key,
// a fast PasswordHasher, and helpers to make users and read the outbox.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "libs/pg/pool.h"
#include "libs/pg/result.h"
#include "services/users/credentials/password_hasher.h"
#include "services/users/credentials/secret_box.h"
#include "services/users/store/user.h"

namespace backoffice::users::testing {

/// Now, truncated to the microseconds PostgreSQL keeps (it rounds finer times), so times written
/// and read back compare equal.
inline absl::Time DbNow() { return absl::FromUnixMicros(absl::ToUnixMicros(absl::Now())); }

/// A hasher at OWASP's floor (19 MiB, t = 2), the cheapest PasswordHasher::Create accepts, so
/// tests stay fast. Production uses the default HashParams (64 MiB, t = 2).
const PasswordHasher& TestHasher();

/// A SecretBox over a fixed 32-byte test key.
std::shared_ptr<const SecretBox> TestSecretBox();

class AuthFixture {
 public:
  explicit AuthFixture(int pool_size = 4);

  pg::Pool& pool() { return *pool_; }

  /// Runs one statement on a pooled connection; fails the test on error.
  pg::Result Query(const std::string& sql, const pg::Params& params = {});
  int64_t Count(const std::string& sql, const pg::Params& params = {});

  /// Outbox event types in position order.
  std::vector<std::string> EventTypes();
  /// How many outbox events of `type` exist.
  int64_t CountEvents(const std::string& type);

  /// Inserts an active user "<name>@example.com" with `password` hashed by TestHasher() (no
  /// password when empty); returns its id.
  std::string CreateUser(const std::string& name, const std::string& password = "");

  /// Sets a user's status ("active", "disabled", "deleted") directly in the table.
  void SetStatus(const std::string& user_id, const std::string& status);

 private:
  std::unique_ptr<pg::Pool> pool_;
};

/// A user acting on their own account.
Actor SelfActor(const std::string& user_id);
/// An administrator.
Actor AdminActor();

}  // namespace backoffice::users::testing
