#include "services/users/store/testing/seed_users.h"

#include "absl/status/status.h"
#include "services/users/store/testing/seed_sql.h"

namespace backoffice::users::testing {

absl::Status SeedUsers(pg::Pool& pool, const SeedOptions& options) {
  if (options.count <= 0 || options.first_index < 0 || options.users_per_second < 1 ||
      options.disabled_every < 0 || options.deleted_every < 0) {
    return absl::InvalidArgumentError("SeedUsers: bad options");
  }
  absl::StatusOr<pg::PooledConnection> conn = pool.Acquire();
  if (!conn.ok()) return conn.status();
  absl::StatusOr<pg::Result> inserted = (*conn)->Execute(
      sql::kSeedUsers, {options.first_index, options.first_index + options.count - 1,
                        options.email_domain, options.created_base, options.users_per_second,
                        options.disabled_every, options.deleted_every});
  if (!inserted.ok()) return inserted.status();
  if (options.analyze) return (*conn)->ExecuteScript("ANALYZE users");
  return absl::OkStatus();
}

}  // namespace backoffice::users::testing
