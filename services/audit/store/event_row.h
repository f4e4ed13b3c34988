// Reading an event from a row with the columns of the store's event SELECTs (kEventColumns).
#pragma once

#include "absl/status/statusor.h"
#include "libs/pg/result.h"
#include "services/audit/store/event.h"

namespace backoffice::audit {

/// The SELECT list every event query uses (JSON columns as text).
inline constexpr char kEventColumns[] =
    "sequence, id::text AS id, event_time, ingest_time, actor_type, actor_id, "
    "actor_display_name, client_ip, user_agent, on_behalf_of_id, action, resource_type, "
    "resource_id, service, request_id, trace_id, outcome, message, before::text AS before, "
    "after::text AS after, metadata::text AS metadata, prev_hash, hash";

/// The event in `row`; JSON columns are re-written canonically (canonical_json.h), so the
/// event hashes exactly as it did when appended if nothing changed. INVALID_ARGUMENT naming the
/// column if one is missing or does not parse.
absl::StatusOr<Event> EventFromRow(const pg::Row& row);

}  // namespace backoffice::audit
