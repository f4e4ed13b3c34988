#include "services/users/store/housekeeping.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <string>

#include "libs/ids/uuid.h"
#include "libs/outbox/outbox.h"
#include "libs/pg/transaction.h"
#include "services/users/store/queries.h"

namespace backoffice::users {

absl::StatusOr<HousekeepingReport> Housekeeping::RunOnce(absl::Time now) {
  HousekeepingReport report;
  for (int32_t i = 0; i < options_.max_batches; ++i) {
    absl::StatusOr<int64_t> purged = PurgeUsersBatch(now);
    if (!purged.ok()) return purged.status();
    report.users_purged += *purged;
    if (*purged < options_.batch) break;
  }
  absl::StatusOr<int64_t> keys = Drain(sql::kPurgeExpiredIdempotencyKeys, now);
  if (!keys.ok()) return keys.status();
  report.idempotency_keys = *keys;
  absl::StatusOr<int64_t> challenges = Drain(sql::kPurgeExpiredLoginChallenges, now);
  if (!challenges.ok()) return challenges.status();
  report.login_challenges = *challenges;
  absl::StatusOr<int64_t> sessions =
      Drain(sql::kPurgeEndedSessions, now - options_.ended_session_retention);
  if (!sessions.ok()) return sessions.status();
  report.sessions = *sessions;
  return report;
}

absl::StatusOr<int64_t> Housekeeping::PurgeUsersBatch(absl::Time now) {
  absl::StatusOr<pg::PooledConnection> conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  absl::StatusOr<pg::Transaction> tx = pg::Transaction::Begin(**conn);
  if (!tx.ok()) return tx.status();
  absl::StatusOr<pg::Result> erased =
      tx->Execute(sql::kPurgeDeletedUsers, {now - options_.delete_retention, options_.batch});
  if (!erased.ok()) return erased.status();
  for (int i = 0; i < erased->size(); ++i) {
    absl::StatusOr<std::string> id = (*erased)[i].Get<std::string>(0);
    absl::StatusOr<std::string> deleted_at = (*erased)[i].Get<std::string>(1);
    if (!id.ok()) return id.status();
    if (!deleted_at.ok()) return deleted_at.status();
    // Who and when only: the account's personal data is what is being erased.
    boost::json::object before{{"id", *id}};
    boost::json::object metadata{{"deleted_at", *deleted_at}, {"reason", "purge_time reached"}};
    absl::Status appended = outbox::AppendToOutbox(
        *tx, outbox::OutboxEvent{.id = ids::NewUuidV7(),
                                 .aggregate_type = "user",
                                 .aggregate_id = *id,
                                 .event_type = "user.purged",
                                 .actor_type = outbox::kActorSystem,
                                 .actor_id = "users-housekeeping",
                                 .before = boost::json::serialize(before),
                                 .metadata = boost::json::serialize(metadata),
                                 .occurred_at = now});
    if (!appended.ok()) return appended;
  }
  if (absl::Status committed = tx->Commit(); !committed.ok()) return committed;
  return static_cast<int64_t>(erased->size());
}

absl::StatusOr<int64_t> Housekeeping::Drain(std::string_view sql, absl::Time before) {
  int64_t total = 0;
  for (int32_t i = 0; i < options_.max_batches; ++i) {
    absl::StatusOr<pg::PooledConnection> conn = pool_.Acquire();
    if (!conn.ok()) return conn.status();
    absl::StatusOr<pg::Result> deleted = (*conn)->Execute(sql, {before, options_.batch});
    if (!deleted.ok()) return deleted.status();
    total += deleted->affected_rows();
    if (deleted->affected_rows() < options_.batch) break;
  }
  return total;
}

}  // namespace backoffice::users
