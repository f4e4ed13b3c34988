// EventStore: the audit log in PostgreSQL (schema `audit`, migrations in ../migrations): appends
// to the hash chain, reads, verification and monthly partitions. Queries and exports are in
// event_query.h. Thread-safe (each call leases its own connection).
//
//   EventStore store(pool);
//   absl::StatusOr<std::vector<AppendResult>> results = store.Append(std::move(events), now);
//   absl::StatusOr<VerifyResult> verified = store.Verify(1, 0);
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/pg/pool.h"
#include "services/audit/store/event.h"
#include "services/audit/store/event_query.h"

namespace backoffice::audit {

/// Largest range one Verify call walks.
inline constexpr int64_t kMaxVerifyRange = 1'000'000;

class EventStore final {
 public:
  explicit EventStore(pg::Pool& pool) : pool_(pool) {}

  /// Appends `events` (already normalized with NormalizeEvent, distinct ids) in one transaction,
  /// in order, under the chain head's row lock: each new one gets the next sequence,
  /// ingest_time = `now` (truncated to microseconds), prev_hash and hash. An id stored before is
  /// not stored again: DUPLICATE when its producer content is the same, CONFLICT otherwise.
  /// Results are in request order. INVALID_ARGUMENT for duplicate ids in `events`.
  absl::StatusOr<std::vector<AppendResult>> Append(std::vector<Event> events, absl::Time now);

  /// One event. NOT_FOUND.
  absl::StatusOr<Event> GetById(std::string_view id);
  absl::StatusOr<Event> GetBySequence(int64_t sequence);

  /// The head of the chain (sequence 0 and 64 zeros when empty).
  absl::StatusOr<ChainHead> Head();

  /// Recomputes [start, end] (start 0 or 1: the first event; end 0: the head; an end beyond the
  /// head is clamped to it). Links `start` to the stored event before it. When retention has
  /// run and `start` is at or before the latest boundary, the walk starts at the boundary's first
  /// retained sequence, linked to its recorded prev_hash, and the result carries the boundary;
  /// a boundary row that does not match its audit.retention.applied event is reported broken
  /// ("retention boundary mismatch"). INVALID_ARGUMENT for a reversed or over-long range
  /// (`end_sequence`), OUT_OF_RANGE when start is beyond the head or the whole range was removed
  /// by retention, FAILED_PRECONDITION when the log is empty.
  absl::StatusOr<VerifyResult> Verify(int64_t start, int64_t end);

  /// Creates the monthly partitions for `months` months from the month of `now` (UTC) that do
  /// not exist yet; returns how many it created.
  absl::StatusOr<int> EnsurePartitions(absl::Time now, int months);

  /// Retention: in one transaction, drops every monthly partition whose whole month lies more
  /// than `months` whole months before the month of `now` (UTC), records the new start of the
  /// chain in audit.retention_log, deletes the removed events' event_ids rows and appends an
  /// audit.retention.applied event (actor system / audit-retention, ingest_time `now`) carrying
  /// the same boundary. Returns the boundary with the event's sequence, or nullopt when there was
  /// nothing to drop. INVALID_ARGUMENT for `months` < 1; FAILED_PRECONDITION (nothing dropped)
  /// when the removed and retained events do not meet (a missing sequence, a broken link, ingest
  /// times out of sequence order around the cutoff).
  absl::StatusOr<std::optional<RetentionBoundary>> ApplyRetention(absl::Time now, int months);

  /// The latest retention boundary, or nullopt when retention never dropped anything.
  absl::StatusOr<std::optional<RetentionBoundary>> LatestRetentionBoundary();

  /// One page of matching events (see event_query.h). INVALID_ARGUMENT for a bad page token,
  /// size or offset.
  absl::StatusOr<QueryPage> Query(const QuerySpec& spec, const PageSpec& page, absl::Time now);

  /// Calls `sink` with every matching event in order, all read in one REPEATABLE READ snapshot,
  /// a page at a time. FAILED_PRECONDITION (before any call of `sink`) when more than
  /// `max_events` match. Stops with the sink's status when it returns an error.
  absl::Status Export(const QuerySpec& spec, int64_t max_events,
                      const std::function<absl::Status(const Event&)>& sink);

 private:
  pg::Pool& pool_;
};

}  // namespace backoffice::audit
