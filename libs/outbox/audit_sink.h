// An EventSink that appends outbox events to the audit service (AuditService.AppendEvents) with
// a self-signed service-account token.
//
//   auth::ServiceTokenSource tokens(std::move(key), {.service = "users"});
//   EventSinkPtr sink = MakeAuditSink(grpc::CreateChannel(...), tokens, "users");
//
// Mapping of an outbox row to an AuditEvent: id, event_time = occurred_at, actor (user ->
// USER, service -> SERVICE_ACCOUNT, system -> SYSTEM; id), action = "<service>.<event_type>"
// ("users.user.updated"), resource_type = "<service>.<aggregate_type>", resource_id =
// aggregate_id, service, request_id, trace_id (dropped unless 32 lowercase hex), outcome SUCCESS
// (an outbox row records a committed change), before/after/metadata as JSON objects (a non-object
// value is wrapped as {"value": ...}). Numbers travel as doubles (google.protobuf.Struct).
#pragma once

#include <memory>
#include <string>

#include "libs/auth/service_token.h"
#include "libs/outbox/relay.h"

namespace grpc {
class Channel;
}

namespace backoffice::outbox {

using EventSinkPtr = std::unique_ptr<EventSink>;

/// Results: ACCEPTED and DUPLICATE are delivered; CONFLICT is delivered with a remark (the audit
/// log already holds other content under that id). When the whole batch is INVALID_ARGUMENT the
/// events are sent one by one and those refused alone are rejected (parked by the relay). Any
/// other failure (UNAVAILABLE, DEADLINE_EXCEEDED, UNAUTHENTICATED, ...) fails the batch, which the
/// relay retries. Deadline 10 s per call. `tokens` outlives the sink.
EventSinkPtr MakeAuditSink(std::shared_ptr<grpc::Channel> channel, auth::ServiceTokenSource& tokens,
                           std::string service);

}  // namespace backoffice::outbox
