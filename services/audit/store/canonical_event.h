// The canonical encoding of an audit event and its chain hash, as specified in
// services/audit/README.md ("Canonical encoding"), so an auditor can recompute every hash in
// another language.
//
//   std::string bytes = CanonicalEventBytes(event);            // sequence, times, ... as stored
//   std::string hash = ChainHash(event.prev_hash, bytes);      // 64 lowercase hex characters
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/audit/store/event.h"

namespace backoffice::audit {

/// RFC 3339 in UTC with exactly six fractional digits and "Z": "2026-11-22T05:08:59.123456Z".
/// Sub-microsecond parts are truncated toward the past.
std::string CanonicalTime(absl::Time time);

/// The version tag that opens every encoding.
inline constexpr char kCanonicalEventVersion[] = "backoffice.audit.event.v1";

/// Each field as a 4-byte big-endian length followed by its UTF-8 bytes, in this order: the
/// version tag, sequence (decimal), id, event_time, ingest_time (CanonicalTime), actor_type,
/// actor_id, actor_display_name, client_ip, user_agent, on_behalf_of_id, action, resource_type,
/// resource_id, service, request_id, trace_id, outcome, message, before, after, metadata. A JSON
/// field is its canonical JSON text, or the single byte "-" when absent (canonical JSON never is
/// "-"). prev_hash and hash are not part of it.
std::string CanonicalEventBytes(const Event& event);

/// The same encoding with the fields the store assigns (sequence and ingest_time) written as
/// empty: what the producer sent. Its SHA-256 tells a repeated delivery (same content) from a
/// conflicting one.
std::string CanonicalContentBytes(const Event& event);

/// CanonicalEventBytes(event) without its first two fields (the version tag and the sequence):
/// id through metadata, with `canonical_ingest_time` (CanonicalTime of the ingest time) in place
/// of CanonicalTime(event.ingest_time). Lets a store encode an event before it knows the event's
/// sequence (see ChainHashAt).
std::string CanonicalEventBytesAfterSequence(const Event& event,
                                             std::string_view canonical_ingest_time);

/// Lowercase hex SHA-256 of `bytes`.
std::string Sha256Hex(std::string_view bytes);

/// hex(SHA-256(raw 32 bytes of prev_hash || canonical_bytes)). INVALID_ARGUMENT if prev_hash is
/// not 64 hex characters.
absl::StatusOr<std::string> ChainHash(std::string_view prev_hash, std::string_view canonical_bytes);

/// ChainHash(prev_hash, CanonicalEventBytes(event)) of the event with sequence `sequence` whose
/// CanonicalEventBytesAfterSequence is `after_sequence`: the same hash, without encoding the
/// event again.
absl::StatusOr<std::string> ChainHashAt(std::string_view prev_hash, int64_t sequence,
                                        std::string_view after_sequence);

}  // namespace backoffice::audit
