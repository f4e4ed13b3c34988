#include "services/roles/store/housekeeping.h"

#include "services/roles/store/queries.h"

namespace backoffice::roles {

absl::StatusOr<HousekeepingReport> Housekeeping::RunOnce(absl::Time now) {
  HousekeepingReport report;
  for (int32_t i = 0; i < options_.max_batches; ++i) {
    absl::StatusOr<pg::PooledConnection> conn = pool_.Acquire();
    if (!conn.ok()) return conn.status();
    absl::StatusOr<pg::Result> deleted =
        (*conn)->Execute(sql::kPurgeExpiredIdempotencyKeys, {now, options_.batch});
    if (!deleted.ok()) return deleted.status();
    report.idempotency_keys += deleted->affected_rows();
    if (deleted->affected_rows() < options_.batch) break;
  }
  return report;
}

}  // namespace backoffice::roles
