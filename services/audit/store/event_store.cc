#include "services/audit/store/event_store.h"

#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "boost/json.hpp"
#include "libs/pg/transaction.h"
#include "libs/pg/with_transaction.h"
#include "services/audit/store/canonical_event.h"
#include "services/audit/store/event_row.h"
#include "services/audit/store/queries.h"

namespace backoffice::audit {
namespace {

constexpr int kVerifyPageRows = 5000;

boost::json::string_view Json(std::string_view text) { return {text.data(), text.size()}; }

boost::json::value JsonColumn(const std::optional<std::string>& canonical) {
  if (!canonical.has_value()) return nullptr;
  return boost::json::parse(Json(*canonical));
}

boost::json::object EventJson(const Event& e) {
  boost::json::object row;
  row["sequence"] = e.sequence;
  row["id"] = Json(e.id);
  row["event_time"] = Json(CanonicalTime(e.event_time));
  row["ingest_time"] = Json(CanonicalTime(e.ingest_time));
  row["actor_type"] = Json(e.actor_type);
  row["actor_id"] = Json(e.actor_id);
  row["actor_display_name"] = Json(e.actor_display_name);
  row["client_ip"] = Json(e.client_ip);
  row["user_agent"] = Json(e.user_agent);
  row["on_behalf_of_id"] = Json(e.on_behalf_of_id);
  row["action"] = Json(e.action);
  row["resource_type"] = Json(e.resource_type);
  row["resource_id"] = Json(e.resource_id);
  row["service"] = Json(e.service);
  row["request_id"] = Json(e.request_id);
  row["trace_id"] = Json(e.trace_id);
  row["outcome"] = Json(e.outcome);
  row["message"] = Json(e.message);
  row["before"] = JsonColumn(e.before);
  row["after"] = JsonColumn(e.after);
  row["metadata"] = JsonColumn(e.metadata);
  row["prev_hash"] = Json(e.prev_hash);
  row["hash"] = Json(e.hash);
  return row;
}

absl::StatusOr<ChainHead> ReadHead(const pg::Result& result) {
  absl::StatusOr<pg::Row> row = result.First();
  if (!row.ok()) return absl::InternalError("audit.chain_head has no row");
  absl::StatusOr<int64_t> sequence = row->Get<int64_t>("sequence");
  if (!sequence.ok()) return sequence.status();
  absl::StatusOr<std::string> hash = row->Get<std::string>("hash");
  if (!hash.ok()) return hash.status();
  return ChainHead{.sequence = *sequence, .hash = *std::move(hash)};
}

absl::StatusOr<Event> SingleEvent(absl::StatusOr<pg::Result> result) {
  if (!result.ok()) return result.status();
  if (result->empty()) return absl::NotFoundError("event not found");
  return EventFromRow((*result)[0]);
}

}  // namespace

absl::StatusOr<std::vector<AppendResult>> EventStore::Append(std::vector<Event> events,
                                                             absl::Time now) {
  absl::flat_hash_set<std::string> seen;
  for (size_t i = 0; i < events.size(); ++i) {
    if (!seen.insert(events[i].id).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("events[", i, "].id: the same id appears twice in the batch"));
    }
  }
  absl::Time ingest_time = absl::FromUnixMicros(absl::ToUnixMicros(now));
  std::string ids_array = absl::StrCat("{", absl::StrJoin(seen, ","), "}");

  std::vector<AppendResult> results;
  absl::Status status = pg::WithTransaction(pool_, [&](pg::Transaction& tx) -> absl::Status {
    results.clear();
    absl::StatusOr<pg::Result> head_rows = tx.Execute(sql::kLockChainHead);
    if (!head_rows.ok()) return head_rows.status();
    absl::StatusOr<ChainHead> head = ReadHead(*head_rows);
    if (!head.ok()) return head.status();

    absl::StatusOr<pg::Result> existing_rows = tx.Execute(sql::kFindEventIds, {ids_array});
    if (!existing_rows.ok()) return existing_rows.status();
    absl::flat_hash_map<std::string, std::pair<int64_t, std::string>> existing;
    for (const pg::Row& row : *existing_rows) {
      absl::StatusOr<std::string> id = row.Get<std::string>("id");
      absl::StatusOr<int64_t> sequence = row.Get<int64_t>("sequence");
      absl::StatusOr<std::string> digest = row.Get<std::string>("content_digest");
      if (!id.ok() || !sequence.ok() || !digest.ok()) {
        return absl::InternalError("audit.event_ids: unreadable row");
      }
      existing[*id] = {*sequence, *std::move(digest)};
    }

    boost::json::array event_rows;
    boost::json::array id_rows;
    ChainHead next = *head;
    for (const Event& original : events) {
      std::string digest = Sha256Hex(CanonicalContentBytes(original));
      if (auto it = existing.find(original.id); it != existing.end()) {
        results.push_back(AppendResult{.event_id = original.id,
                                       .status = it->second.second == digest
                                                     ? AppendStatus::kDuplicate
                                                     : AppendStatus::kConflict,
                                       .sequence = it->second.first});
        continue;
      }
      Event event = original;
      event.sequence = next.sequence + 1;
      event.ingest_time = ingest_time;
      event.prev_hash = next.hash;
      absl::StatusOr<std::string> hash = ChainHash(event.prev_hash, CanonicalEventBytes(event));
      if (!hash.ok()) return absl::InternalError("audit.chain_head holds a malformed hash");
      event.hash = *hash;
      next = ChainHead{.sequence = event.sequence, .hash = event.hash};
      results.push_back(AppendResult{
          .event_id = event.id, .status = AppendStatus::kAccepted, .sequence = event.sequence});
      boost::json::object id_row;
      id_row["id"] = Json(event.id);
      id_row["sequence"] = event.sequence;
      id_row["ingest_time"] = Json(CanonicalTime(event.ingest_time));
      id_row["content_digest"] = Json(digest);
      id_rows.push_back(std::move(id_row));
      event_rows.push_back(EventJson(event));
    }
    if (event_rows.empty()) return absl::OkStatus();
    if (absl::StatusOr<pg::Result> r =
            tx.Execute(sql::kInsertEventIds, {boost::json::serialize(id_rows)});
        !r.ok()) {
      return r.status();
    }
    if (absl::StatusOr<pg::Result> r =
            tx.Execute(sql::kInsertEvents, {boost::json::serialize(event_rows)});
        !r.ok()) {
      return r.status();
    }
    absl::StatusOr<pg::Result> updated =
        tx.Execute(sql::kUpdateChainHead, {next.sequence, next.hash});
    return updated.status();
  });
  if (!status.ok()) return status;
  return results;
}

absl::StatusOr<Event> EventStore::GetById(std::string_view id) {
  absl::StatusOr<pg::PooledConnection> conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  return SingleEvent((*conn)->Execute(sql::kSelectEventById, {id}));
}

absl::StatusOr<Event> EventStore::GetBySequence(int64_t sequence) {
  absl::StatusOr<pg::PooledConnection> conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  return SingleEvent((*conn)->Execute(sql::kSelectEventBySequence, {sequence}));
}

absl::StatusOr<ChainHead> EventStore::Head() {
  absl::StatusOr<pg::PooledConnection> conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  absl::StatusOr<pg::Result> rows = (*conn)->Execute(sql::kSelectChainHead);
  if (!rows.ok()) return rows.status();
  return ReadHead(*rows);
}

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
  if (start > 1) {
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

absl::StatusOr<int> EventStore::EnsurePartitions(absl::Time now, int months) {
  absl::StatusOr<pg::PooledConnection> conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  absl::StatusOr<pg::Result> rows = (*conn)->Execute(sql::kEnsurePartitions, {now, months});
  if (!rows.ok()) return rows.status();
  absl::StatusOr<pg::Row> row = rows->First();
  if (!row.ok()) return row.status();
  return row->Get<int32_t>("created");
}

}  // namespace backoffice::audit
