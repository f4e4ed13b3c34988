#include "services/audit/store/event_store.h"

#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "libs/pg/transaction.h"
#include "libs/pg/with_transaction.h"
#include "services/audit/store/event_append.h"
#include "services/audit/store/event_row.h"
#include "services/audit/store/queries.h"

namespace backoffice::audit {
namespace {

absl::StatusOr<Event> SingleEvent(absl::StatusOr<pg::Result> result) {
  if (!result.ok()) return result.status();
  if (result->empty()) return absl::NotFoundError("event not found");
  return EventFromRow((*result)[0]);
}

}  // namespace

absl::StatusOr<std::vector<AppendResult>> EventStore::Append(std::vector<Event> events,
                                                             absl::Time now) {
  absl::flat_hash_set<std::string> seen;
  for (size_t i = 0; i < events.size(); ++i) {
    if (!seen.insert(events[i].id).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("events[", i, "].id: the same id appears twice in the batch"));
    }
  }
  absl::Time ingest_time = absl::FromUnixMicros(absl::ToUnixMicros(now));
  std::vector<AppendResult> results;
  absl::Status status = pg::WithTransaction(pool_, [&](pg::Transaction& tx) -> absl::Status {
    absl::StatusOr<std::vector<AppendResult>> appended =
        AppendInTransaction(tx, events, ingest_time);
    if (!appended.ok()) return appended.status();
    results = *std::move(appended);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return results;
}

absl::StatusOr<Event> EventStore::GetById(std::string_view id) {
  absl::StatusOr<pg::PooledConnection> conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  return SingleEvent((*conn)->Execute(sql::kSelectEventById, {id}));
}

absl::StatusOr<Event> EventStore::GetBySequence(int64_t sequence) {
  absl::StatusOr<pg::PooledConnection> conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  return SingleEvent((*conn)->Execute(sql::kSelectEventBySequence, {sequence}));
}

absl::StatusOr<ChainHead> EventStore::Head() {
  absl::StatusOr<pg::PooledConnection> conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  absl::StatusOr<pg::Result> rows = (*conn)->Execute(sql::kSelectChainHead);
  if (!rows.ok()) return rows.status();
  return ReadChainHead(*rows);
}

absl::StatusOr<int> EventStore::EnsurePartitions(absl::Time now, int months) {
  absl::StatusOr<pg::PooledConnection> conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  absl::StatusOr<pg::Result> rows = (*conn)->Execute(sql::kEnsurePartitions, {now, months});
  if (!rows.ok()) return rows.status();
  absl::StatusOr<pg::Row> row = rows->First();
  if (!row.ok()) return row.status();
  return row->Get<int32_t>("created");
}

}  // namespace backoffice::audit
