// Validation and normalization of events a producer sends to AppendEvents.
#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/audit/store/event.h"

namespace backoffice::audit {

/// Largest number of events in one AppendEvents call.
inline constexpr int kMaxAppendBatch = 500;
/// Largest before + after + metadata, as canonical JSON.
inline constexpr size_t kMaxJsonBytes = 64 * 1024;

/// Checks the producer-set fields of `event` and normalizes it in place (lowercase id, times
/// truncated to microseconds, store-set fields cleared). INVALID_ARGUMENT "<prefix>.<field>: ..."
/// (prefix like "events[3]") naming the first bad field: id (not a UUIDv7), event_time (unset,
/// or more than 24 hours after `now`), actor.type, actor.* (too long), action (not
/// `<service>.<resource>.<verb>` in lower snake case, 3 to 128 bytes), resource_type (missing,
/// over 64 bytes), resource_id (over 128), service (missing, over 64), request_id (over 128),
/// trace_id (not 32 lowercase hex), outcome, message (over 1000 characters), before / after /
/// metadata (not an object, together over 64 KiB, or holding U+0000). No text may hold NUL.
absl::Status NormalizeEvent(Event& event, std::string_view prefix, absl::Time now);

}  // namespace backoffice::audit
