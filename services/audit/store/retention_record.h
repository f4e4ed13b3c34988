// A retention run as stored twice: a row of audit.retention_log and the audit.retention.applied
// event in the chain, whose metadata carries the same boundary. Internal to the event_store
// library (EventStore::ApplyRetention writes both, EventStore::Verify compares them).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/pg/result.h"
#include "services/audit/store/event.h"

namespace backoffice::audit {

/// The boundary in a row of sql::kApplyRetention or sql::kSelectRetentionBoundary.
absl::StatusOr<RetentionBoundary> RetentionBoundaryFromRow(const pg::Row& row);

/// The normalized audit.retention.applied event for `boundary` (id boundary.event_id, actor
/// system / audit-retention, service audit, event_time `now`); its metadata holds the boundary's
/// fields as canonical JSON.
Event RetentionEvent(const RetentionBoundary& boundary, int retention_months, absl::Time now);

/// Whether `event` is a retention event (action, service, actor) whose metadata records
/// exactly `boundary`'s first retained sequence, its prev_hash and retention_log id.
bool RecordsBoundary(const Event& event, const RetentionBoundary& boundary);

/// The first_retained_prev_hash a retention event's metadata records; empty when it has none.
std::string RecordedPrevHash(const Event& event);

}  // namespace backoffice::audit
