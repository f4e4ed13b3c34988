// Proto <-> domain for the audit service: AuditEvent and Event, EventFilter, directions,
// retention boundaries.
#pragma once

#include <string_view>

#include "absl/status/statusor.h"
#include "proto/audit/v1/audit.pb.h"
#include "services/audit/store/event.h"
#include "services/audit/store/event_query.h"

namespace backoffice::audit {

/// The producer-set fields of `proto` as an Event (not yet normalized: see NormalizeEvent).
/// Struct fields become canonical JSON. INVALID_ARGUMENT "<prefix>.<field>: ..." for an unknown
/// enum value or a Struct holding NaN or infinity.
absl::StatusOr<Event> EventFromProto(const v1::AuditEvent& proto, std::string_view prefix);

/// Every field of a stored event. INTERNAL if a stored JSON value does not convert.
absl::Status EventToProto(const Event& event, v1::AuditEvent* proto);

/// A retention boundary as VerifyChainResponse.retention_boundary.
void RetentionBoundaryToProto(const RetentionBoundary& boundary, v1::RetentionBoundary& proto);

/// The filter of QueryEvents/ExportEvents, validated. INVALID_ARGUMENT naming `filter.<field>`.
absl::StatusOr<EventFilter> FilterFromProto(const v1::EventFilter& proto);

/// "user", "service", "system", "anonymous" for an ActorType; "" for UNSPECIFIED or unknown.
std::string_view ActorTypeName(int type);

}  // namespace backoffice::audit
