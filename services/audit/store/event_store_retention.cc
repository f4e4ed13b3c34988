// EventStore::ApplyRetention and LatestRetentionBoundary (see migration 0003_retention.sql).
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/ids/uuid.h"
#include "libs/pg/error.h"
#include "libs/pg/transaction.h"
#include "libs/pg/with_transaction.h"
#include "services/audit/store/event_append.h"
#include "services/audit/store/event_store.h"
#include "services/audit/store/queries.h"
#include "services/audit/store/retention_record.h"

namespace backoffice::audit {

absl::StatusOr<std::optional<RetentionBoundary>> EventStore::ApplyRetention(absl::Time now,
                                                                            int months) {
  if (months < 1) return absl::InvalidArgumentError("retention months: must be at least 1");
  absl::Time ingest_time = absl::FromUnixMicros(absl::ToUnixMicros(now));
  absl::CivilMonth keep_from = absl::ToCivilMonth(ingest_time, absl::UTCTimeZone()) - months;
  absl::Time cutoff = absl::FromCivil(keep_from, absl::UTCTimeZone());

  std::optional<RetentionBoundary> boundary;
  absl::Status status = pg::WithTransaction(pool_, [&](pg::Transaction& tx) -> absl::Status {
    boundary.reset();
    // The chain head first, as every append takes it: retention and appends serialize here.
    if (absl::StatusOr<pg::Result> head = tx.Execute(sql::kLockChainHead); !head.ok()) {
      return head.status();
    }
    std::string event_id = ids::NewUuidV7().ToString();
    absl::StatusOr<pg::Result> rows =
        tx.Execute(sql::kApplyRetention, {cutoff, event_id, ingest_time});
    if (!rows.ok()) {
      if (pg::SqlState(rows.status()) == "55000") {
        return absl::FailedPreconditionError(rows.status().message());
      }
      return rows.status();
    }
    if (rows->empty()) return absl::OkStatus();
    absl::StatusOr<RetentionBoundary> recorded = RetentionBoundaryFromRow((*rows)[0]);
    if (!recorded.ok()) return recorded.status();

    Event event = RetentionEvent(*recorded, months, ingest_time);
    absl::StatusOr<std::vector<AppendResult>> appended =
        AppendInTransaction(tx, {event}, ingest_time);
    if (!appended.ok()) return appended.status();
    if (appended->size() != 1 || (*appended)[0].status != AppendStatus::kAccepted) {
      return absl::InternalError("the retention event was not appended");
    }
    recorded->event_sequence = (*appended)[0].sequence;
    boundary = *std::move(recorded);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return boundary;
}

absl::StatusOr<std::optional<RetentionBoundary>> EventStore::LatestRetentionBoundary() {
  absl::StatusOr<pg::PooledConnection> conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  absl::StatusOr<pg::Result> rows = (*conn)->Execute(sql::kSelectRetentionBoundary);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::nullopt;
  absl::StatusOr<RetentionBoundary> boundary = RetentionBoundaryFromRow((*rows)[0]);
  if (!boundary.ok()) return boundary.status();
  absl::StatusOr<pg::Result> event =
      (*conn)->Execute(sql::kFindEventIds, {absl::StrCat("{", boundary->event_id, "}")});
  if (!event.ok()) return event.status();
  if (!event->empty()) {
    absl::StatusOr<int64_t> sequence = (*event)[0].Get<int64_t>("sequence");
    if (!sequence.ok()) return sequence.status();
    boundary->event_sequence = *sequence;
  }
  return boundary;
}

}  // namespace backoffice::audit
