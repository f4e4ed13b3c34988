#include "services/audit/store/event_append.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "libs/pg/copy_text.h"
#include "services/audit/store/canonical_event.h"
#include "services/audit/store/queries.h"

namespace backoffice::audit {
namespace {

void AppendText(std::string& row, std::string_view value) {
  pg::AppendCopyText(row, value);
  row.push_back('\t');
}

void AppendJson(std::string& row, const std::optional<std::string>& canonical) {
  if (canonical.has_value()) {
    pg::AppendCopyText(row, *canonical);
  } else {
    pg::AppendCopyNull(row);
  }
  row.push_back('\t');
}

// The COPY text row of `e` for copy_events.sql up to its chain fields (sequence, prev_hash,
// hash), which are appended under the lock; it ends in a tab.
std::string OpenEventRow(const Event& e, std::string_view ingest_time) {
  std::string row;
  row.reserve(512);
  AppendText(row, e.id);
  row.append(CanonicalTime(e.event_time)).push_back('\t');
  row.append(ingest_time).push_back('\t');
  for (const std::string* text :
       {&e.actor_type, &e.actor_id, &e.actor_display_name, &e.client_ip, &e.user_agent,
        &e.on_behalf_of_id, &e.action, &e.resource_type, &e.resource_id, &e.service, &e.request_id,
        &e.trace_id, &e.outcome, &e.message}) {
    AppendText(row, *text);
  }
  AppendJson(row, e.before);
  AppendJson(row, e.after);
  AppendJson(row, e.metadata);
  return row;
}

// What AppendInTransaction prepares for one event before it takes the lock.
struct PreparedEvent {
  std::string digest;          // SHA-256 of the content bytes: tells duplicates from conflicts
  std::string after_sequence;  // CanonicalEventBytesAfterSequence, with the ingest time
  std::string row;             // OpenEventRow
};

}  // namespace

absl::StatusOr<ChainHead> ReadChainHead(const pg::Result& result) {
  absl::StatusOr<pg::Row> row = result.First();
  if (!row.ok()) return absl::InternalError("audit.chain_head has no row");
  absl::StatusOr<int64_t> sequence = row->Get<int64_t>("sequence");
  if (!sequence.ok()) return sequence.status();
  absl::StatusOr<std::string> hash = row->Get<std::string>("hash");
  if (!hash.ok()) return hash.status();
  return ChainHead{.sequence = *sequence, .hash = *std::move(hash)};
}

absl::StatusOr<std::vector<AppendResult>> AppendInTransaction(pg::Transaction& tx,
                                                              const std::vector<Event>& events,
                                                              absl::Time ingest_time) {
  // Everything that does not depend on the chain head is prepared before the lock is taken, so
  // concurrent appends serialize on less work: the content digests, each event's canonical bytes
  // after its sequence and its COPY row without the chain fields. Under the lock only the chain
  // hashes are computed and the rows closed.
  const std::string ingest_text = CanonicalTime(ingest_time);
  std::string ids_array = "{";
  std::vector<PreparedEvent> prepared;
  prepared.reserve(events.size());
  for (const Event& event : events) {
    if (ids_array.size() > 1) ids_array.push_back(',');
    ids_array.append(event.id);
    prepared.push_back(PreparedEvent{
        .digest = Sha256Hex(CanonicalContentBytes(event)),
        .after_sequence = CanonicalEventBytesAfterSequence(event, ingest_text),
        .row = OpenEventRow(event, ingest_text),
    });
  }
  ids_array.push_back('}');

  std::vector<AppendResult> results;
  absl::StatusOr<pg::Result> head_rows = tx.Execute(sql::kLockChainHead);
  if (!head_rows.ok()) return head_rows.status();
  absl::StatusOr<ChainHead> head = ReadChainHead(*head_rows);
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

  std::string event_rows;
  std::string id_rows;
  results.reserve(events.size());
  int64_t sequence = head->sequence;
  std::string hash = head->hash;
  for (size_t i = 0; i < events.size(); ++i) {
    const std::string& id = events[i].id;
    PreparedEvent& event = prepared[i];
    if (auto it = existing.find(id); it != existing.end()) {
      results.push_back(AppendResult{.event_id = id,
                                     .status = it->second.second == event.digest
                                                   ? AppendStatus::kDuplicate
                                                   : AppendStatus::kConflict,
                                     .sequence = it->second.first});
      continue;
    }
    ++sequence;
    absl::StatusOr<std::string> next_hash = ChainHashAt(hash, sequence, event.after_sequence);
    if (!next_hash.ok()) return absl::InternalError("audit.chain_head holds a malformed hash");
    results.push_back(
        AppendResult{.event_id = id, .status = AppendStatus::kAccepted, .sequence = sequence});
    if (event_rows.empty()) event_rows.reserve(events.size() * (event.row.size() + 160));
    // The hashes are 64 lowercase hex characters (chain_head's CHECK and ChainHashAt), so need no
    // escaping.
    absl::StrAppend(&event_rows, event.row, sequence, "\t", hash, "\t", *next_hash, "\n");
    // The id is escaped like every text field (NormalizeEvent makes it a UUID, but this row
    // must not depend on that); the time, digest and sequence are generated here.
    pg::AppendCopyText(id_rows, id);
    absl::StrAppend(&id_rows, "\t", ingest_text, "\t", event.digest, "\t", sequence, "\n");
    hash = *std::move(next_hash);
  }
  if (event_rows.empty()) return results;
  if (absl::StatusOr<int64_t> r = tx.CopyIn(sql::kCopyEventIds, id_rows); !r.ok()) {
    return r.status();
  }
  if (absl::StatusOr<int64_t> r = tx.CopyIn(sql::kCopyEvents, event_rows); !r.ok()) {
    return r.status();
  }
  absl::StatusOr<pg::Result> updated = tx.Execute(sql::kUpdateChainHead, {sequence, hash});
  if (!updated.ok()) return updated.status();
  return results;
}

}  // namespace backoffice::audit
