// The audit service's domain types: one stored event and the results of appending and verifying.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace backoffice::audit {

/// Actor types as stored (`events.actor_type`).
inline constexpr char kActorUser[] = "user";
inline constexpr char kActorService[] = "service";
inline constexpr char kActorSystem[] = "system";
inline constexpr char kActorAnonymous[] = "anonymous";

/// Outcomes as stored (`events.outcome`).
inline constexpr char kOutcomeSuccess[] = "success";
inline constexpr char kOutcomeFailure[] = "failure";
inline constexpr char kOutcomeDenied[] = "denied";

/// The hash before the first event: 64 zeros.
inline constexpr char kGenesisHash[] =
    "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit event. The producer sets everything but `sequence`, `ingest_time`, `prev_hash` and
/// `hash`, which the store sets when it appends. Times are kept at microsecond precision (what
/// PostgreSQL stores); the store truncates finer times before hashing.
struct Event {
  /// Canonical lowercase UUID text (a UUIDv7 from the producer).
  std::string id;
  int64_t sequence = 0;
  absl::Time event_time = absl::UnixEpoch();
  absl::Time ingest_time = absl::UnixEpoch();
  /// kActorUser, kActorService, kActorSystem or kActorAnonymous.
  std::string actor_type;
  std::string actor_id;
  std::string actor_display_name;
  /// Client address and user agent of the call, where known.
  std::string client_ip;
  std::string user_agent;
  std::string on_behalf_of_id;
  std::string action;
  std::string resource_type;
  std::string resource_id;
  std::string service;
  std::string request_id;
  std::string trace_id;
  /// kOutcomeSuccess, kOutcomeFailure or kOutcomeDenied.
  std::string outcome;
  std::string message;
  /// Canonical JSON objects (canonical_json.h); nullopt when not given.
  std::optional<std::string> before;
  std::optional<std::string> after;
  std::optional<std::string> metadata;
  /// 64 lowercase hex characters each.
  std::string prev_hash;
  std::string hash;

  friend bool operator==(const Event&, const Event&) = default;
};

/// What AppendEvents did with one event.
enum class AppendStatus { kAccepted, kDuplicate, kConflict };

/// The outcome for one event of a batch.
struct AppendResult {
  std::string event_id;
  AppendStatus status = AppendStatus::kAccepted;
  /// The stored event's sequence (this one's, or the earlier one's for duplicates and conflicts).
  int64_t sequence = 0;
};

/// The head of the chain.
struct ChainHead {
  /// 0 when the log is empty.
  int64_t sequence = 0;
  std::string hash = kGenesisHash;
};

/// The action of the event that records a retention run in the chain.
inline constexpr char kRetentionAction[] = "audit.retention.applied";
/// The actor id of retention runs (actor type kActorSystem).
inline constexpr char kRetentionActorId[] = "audit-retention";

/// Where retention cut the chain (a row of audit.retention_log): sequences before
/// `first_retained_sequence` were removed.
struct RetentionBoundary {
  int64_t log_id = 0;
  /// The smallest sequence stored after the run (the next sequence when none was left).
  int64_t first_retained_sequence = 0;
  /// That event's prev_hash: the hash of the last removed event.
  std::string first_retained_prev_hash;
  absl::Time applied_time = absl::UnixEpoch();
  /// Names of the dropped partitions (events_pYYYYMM), oldest first.
  std::vector<std::string> dropped_partitions;
  /// The removed months: [removed_from, removed_to).
  absl::Time removed_from = absl::UnixEpoch();
  absl::Time removed_to = absl::UnixEpoch();
  int64_t events_removed = 0;
  /// The audit.retention.applied event appended with it (its sequence is 0 until read back).
  std::string event_id;
  int64_t event_sequence = 0;

  friend bool operator==(const RetentionBoundary&, const RetentionBoundary&) = default;
};

/// The result of verifying a range of the chain.
struct VerifyResult {
  bool intact = true;
  int64_t start_sequence = 0;
  int64_t end_sequence = 0;
  int64_t verified_count = 0;
  /// 0 when intact.
  int64_t first_broken_sequence = 0;
  /// "hash mismatch", "prev_hash mismatch", "missing sequence" or "retention boundary
  /// mismatch"; empty when intact.
  std::string reason;
  std::string expected_hash;
  std::string stored_hash;
  /// Set when the range asked for began at or before the latest retention boundary: the walk
  /// started at its first retained sequence, linked to its recorded prev_hash.
  std::optional<RetentionBoundary> retention_boundary;
};

}  // namespace backoffice::audit
