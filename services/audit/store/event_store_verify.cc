// EventStore::Verify: the chain walk, starting at the latest retention boundary when the range
// begins at or before it.
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/audit/store/canonical_event.h"
#include "services/audit/store/event_row.h"
#include "services/audit/store/event_store.h"
#include "services/audit/store/queries.h"
#include "services/audit/store/retention_record.h"

namespace backoffice::audit {
namespace {

constexpr int kVerifyPageRows = 5000;

}  // namespace

absl::StatusOr<VerifyResult> EventStore::Verify(int64_t start, int64_t end) {
  absl::StatusOr<ChainHead> head = Head();
  if (!head.ok()) return head.status();
  if (head->sequence == 0) return absl::FailedPreconditionError("the audit log is empty");
  if (start < 0 || end < 0) {
    return absl::InvalidArgumentError("start_sequence: must not be negative");
  }
  if (start == 0) start = 1;
  if (end == 0 || end > head->sequence) end = head->sequence;
  if (start > head->sequence) {
    return absl::OutOfRangeError(
        absl::StrCat("start_sequence: beyond the head of the chain (", head->sequence, ")"));
  }
  if (end < start) {
    return absl::InvalidArgumentError("end_sequence: must not be before start_sequence");
  }

  absl::StatusOr<std::optional<RetentionBoundary>> boundary = LatestRetentionBoundary();
  if (!boundary.ok()) return boundary.status();
  bool from_boundary = boundary->has_value() && start <= (*boundary)->first_retained_sequence;
  if (from_boundary) {
    const RetentionBoundary& b = **boundary;
    if (end < b.first_retained_sequence) {
      return absl::OutOfRangeError(
          absl::StrCat("end_sequence: sequences before ", b.first_retained_sequence,
                       " were removed by retention at ", CanonicalTime(b.applied_time),
                       "; the chain is verifiable from ", b.first_retained_sequence));
    }
    start = b.first_retained_sequence;
  }
  if (end - start + 1 > kMaxVerifyRange) {
    return absl::InvalidArgumentError(
        "end_sequence: at most 1,000,000 events per call; verify in pieces");
  }

  VerifyResult result{.start_sequence = start, .end_sequence = end};
  auto broken = [&](int64_t sequence, std::string reason, std::string expected,
                    std::string stored) {
    result.intact = false;
    result.first_broken_sequence = sequence;
    result.reason = std::move(reason);
    result.expected_hash = std::move(expected);
    result.stored_hash = std::move(stored);
    return result;
  };

  absl::StatusOr<pg::PooledConnection> conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  std::string expected_prev = kGenesisHash;
  if (from_boundary) {
    // The boundary row is trusted only as far as the chain's own record of it: the retention
    // event (hashed like any other) must carry the same first sequence and prev_hash.
    result.retention_boundary = **boundary;
    const RetentionBoundary& b = *result.retention_boundary;
    absl::StatusOr<pg::Result> rows = (*conn)->Execute(sql::kSelectEventById, {b.event_id});
    if (!rows.ok()) return rows.status();
    absl::StatusOr<Event> event =
        rows->empty() ? absl::NotFoundError("no retention event") : EventFromRow((*rows)[0]);
    if (!event.ok() || event->sequence < b.first_retained_sequence || !RecordsBoundary(*event, b)) {
      return broken(b.first_retained_sequence, "retention boundary mismatch",
                    event.ok() ? RecordedPrevHash(*event) : "", b.first_retained_prev_hash);
    }
    expected_prev = b.first_retained_prev_hash;
  } else if (start > 1) {
    absl::StatusOr<pg::Result> rows = (*conn)->Execute(sql::kSelectEventBySequence, {start - 1});
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return broken(start - 1, "missing sequence", "", "");
    absl::StatusOr<std::string> hash = (*rows)[0].Get<std::string>("hash");
    if (!hash.ok()) return hash.status();
    expected_prev = *std::move(hash);
  }
  int64_t next = start;
  while (next <= end) {
    absl::StatusOr<pg::Result> rows =
        (*conn)->Execute(sql::kSelectChainRange, {next, end, int64_t{kVerifyPageRows}});
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return broken(next, "missing sequence", "", "");
    for (const pg::Row& row : *rows) {
      absl::StatusOr<Event> event = EventFromRow(row);
      if (!event.ok()) {
        // A stored value that no longer reads (e.g. JSON edited into something else) is tampering
        // too; the row's sequence is still readable.
        absl::StatusOr<int64_t> sequence = row.Get<int64_t>("sequence");
        return broken(sequence.ok() ? *sequence : next, "hash mismatch", "", "");
      }
      if (event->sequence != next) return broken(next, "missing sequence", "", "");
      absl::StatusOr<std::string> recomputed =
          ChainHash(expected_prev, CanonicalEventBytes(*event));
      if (!recomputed.ok()) return recomputed.status();
      if (event->prev_hash != expected_prev) {
        return broken(next, "prev_hash mismatch", *recomputed, event->hash);
      }
      if (*recomputed != event->hash) {
        return broken(next, "hash mismatch", *recomputed, event->hash);
      }
      expected_prev = event->hash;
      ++result.verified_count;
      ++next;
    }
  }
  return result;
}

}  // namespace backoffice::audit
