// Erasing what the users schema promises not to keep: accounts past their purge_time (soft
// deleted + UserStoreOptions::delete_retention, 30 days; each erase is a `user.purged` outbox
// event in the same transaction, without personal data), expired idempotency records and
// second-factor challenges, and sessions that ended more than `ended_session_retention` ago.
// Every statement is bounded (`batch` rows) so a run never holds long locks; RunOnce repeats
// batches until a table has nothing left or `max_batches` is reached.
//
//   Housekeeping housekeeping(pool, {});
//   absl::StatusOr<HousekeepingReport> report = housekeeping.RunOnce(absl::Now());
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/pg/pool.h"

namespace backoffice::users {

struct HousekeepingOptions {
  /// Soft-deleted accounts are erased this long after deletion (their purge_time).
  absl::Duration delete_retention = absl::Hours(24 * 30);
  /// Ended sessions stay listed this long.
  absl::Duration ended_session_retention = absl::Hours(24 * 30);
  int32_t batch = 500;
  int32_t max_batches = 100;
};

/// Rows removed by one run.
struct HousekeepingReport {
  int64_t users_purged = 0;
  int64_t idempotency_keys = 0;
  int64_t login_challenges = 0;
  int64_t sessions = 0;

  int64_t total() const { return users_purged + idempotency_keys + login_challenges + sessions; }
};

/// Thread-safe (each run uses pooled connections).
class Housekeeping final {
 public:
  Housekeeping(pg::Pool& pool, HousekeepingOptions options) : pool_(pool), options_(options) {}

  absl::StatusOr<HousekeepingReport> RunOnce(absl::Time now);

 private:
  // One batch of accounts erased with their events; the count.
  absl::StatusOr<int64_t> PurgeUsersBatch(absl::Time now);
  // Repeats a bounded DELETE until it removes fewer than a batch; the total.
  absl::StatusOr<int64_t> Drain(std::string_view sql, absl::Time before);

  pg::Pool& pool_;
  const HousekeepingOptions options_;
};

}  // namespace backoffice::users
