// Appending to the hash chain inside a transaction the caller holds: EventStore::Append and
// EventStore::ApplyRetention (which appends its own event in the retention transaction) share it.
// Internal to the event_store library.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/pg/result.h"
#include "libs/pg/transaction.h"
#include "services/audit/store/event.h"

namespace backoffice::audit {

/// Locks the chain head (FOR UPDATE, until `tx` ends) and appends `events` (normalized, distinct
/// ids) in order with ingest_time `ingest_time` (whole microseconds): the same rules as
/// EventStore::Append. Results are in `events` order.
absl::StatusOr<std::vector<AppendResult>> AppendInTransaction(pg::Transaction& tx,
                                                              const std::vector<Event>& events,
                                                              absl::Time ingest_time);

/// The chain head in a result of sql::kLockChainHead or sql::kSelectChainHead.
absl::StatusOr<ChainHead> ReadChainHead(const pg::Result& result);

}  // namespace backoffice::audit
