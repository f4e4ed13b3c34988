// Erasing what the roles schema promises not to keep: CreateRole idempotency records past their
// expiry (24 h). As the users service's Housekeeping: every statement is bounded (`batch` rows)
// so a run never holds long locks; RunOnce repeats batches until nothing is left or
// `max_batches` is reached. Meant to run on a libs/server PeriodicTask; between runs an expired
// record is also taken over by the next claim of its key.
//
//   Housekeeping housekeeping(pool, {});
//   absl::StatusOr<HousekeepingReport> report = housekeeping.RunOnce(absl::Now());
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/pg/pool.h"

namespace backoffice::roles {

/// Housekeeping settings.
struct HousekeepingOptions {
  int32_t batch = 500;
  int32_t max_batches = 100;
};

/// Rows removed by one run.
struct HousekeepingReport {
  int64_t idempotency_keys = 0;

  int64_t total() const { return idempotency_keys; }
};

/// Thread-safe (each batch uses a pooled connection). Pool sessions must have search_path = roles.
class Housekeeping final {
 public:
  Housekeeping(pg::Pool& pool, HousekeepingOptions options) : pool_(pool), options_(options) {}

  /// Deletes idempotency records that expired before `now`.
  absl::StatusOr<HousekeepingReport> RunOnce(absl::Time now);

 private:
  pg::Pool& pool_;
  const HousekeepingOptions options_;
};

}  // namespace backoffice::roles
