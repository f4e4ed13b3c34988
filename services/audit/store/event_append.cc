#include "services/audit/store/event_append.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "boost/json.hpp"
#include "services/audit/store/canonical_event.h"
#include "services/audit/store/queries.h"

namespace backoffice::audit {
namespace {

boost::json::string_view Json(std::string_view text) { return {text.data(), text.size()}; }

boost::json::value JsonColumn(const std::optional<std::string>& canonical) {
  if (!canonical.has_value()) return nullptr;
  return boost::json::parse(Json(*canonical));
}

// The row of `e` as stored with ingest_time `ingest_time` (canonical text), without the chain
// fields (sequence, prev_hash, hash), which CloseEventRow adds under the lock.
boost::json::object EventContentJson(const Event& e, std::string_view ingest_time) {
  boost::json::object row;
  row["id"] = Json(e.id);
  row["event_time"] = Json(CanonicalTime(e.event_time));
  row["ingest_time"] = Json(ingest_time);
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
  return row;
}

// `object` serialized without its closing brace, so that fields can be appended to the text.
std::string OpenObjectText(const boost::json::object& object) {
  std::string text = boost::json::serialize(object);
  text.pop_back();  // '}'; the object is never empty, so a ',' may follow
  return text;
}

// Appends the chain fields and closes an event row opened by OpenObjectText. The hashes are
// 64 lowercase hex characters (chain_head's CHECK and ChainHash), so need no escaping.
void CloseEventRow(std::string& row, int64_t sequence, std::string_view prev_hash,
                   std::string_view hash) {
  row.append(",\"sequence\":").append(absl::StrCat(sequence));
  row.append(",\"prev_hash\":\"").append(prev_hash);
  row.append("\",\"hash\":\"").append(hash).append("\"}");
}

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
  std::vector<std::string> ids;
  ids.reserve(events.size());
  for (const Event& event : events) ids.push_back(event.id);
  std::string ids_array = absl::StrCat("{", absl::StrJoin(ids, ","), "}");

  // Everything that does not depend on the chain head is prepared before the lock is taken, so
  // concurrent appends serialize on less work: the content digests, the events as stored (but for
  // sequence and prev_hash) and the text of each JSON row without its chain fields. Under the
  // lock only the chain hashes are computed and the rows closed.
  const std::string ingest_text = CanonicalTime(ingest_time);
  std::vector<std::string> digests;
  std::vector<Event> stamped;
  std::vector<std::string> event_rows;
  std::vector<std::string> id_rows;
  digests.reserve(events.size());
  stamped.reserve(events.size());
  event_rows.reserve(events.size());
  id_rows.reserve(events.size());
  for (const Event& event : events) {
    digests.push_back(Sha256Hex(CanonicalContentBytes(event)));
    stamped.push_back(event);
    stamped.back().ingest_time = ingest_time;
    event_rows.push_back(OpenObjectText(EventContentJson(event, ingest_text)));
    boost::json::object id_row;
    id_row["id"] = Json(event.id);
    id_row["ingest_time"] = Json(ingest_text);
    id_row["content_digest"] = Json(digests.back());
    id_rows.push_back(OpenObjectText(id_row));
  }

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

  std::string events_json = "[";
  std::string ids_json = "[";
  ChainHead next = *head;
  for (size_t i = 0; i < events.size(); ++i) {
    Event& event = stamped[i];
    const std::string& digest = digests[i];
    if (auto it = existing.find(event.id); it != existing.end()) {
      results.push_back(AppendResult{.event_id = event.id,
                                     .status = it->second.second == digest
                                                   ? AppendStatus::kDuplicate
                                                   : AppendStatus::kConflict,
                                     .sequence = it->second.first});
      continue;
    }
    event.sequence = next.sequence + 1;
    event.prev_hash = next.hash;
    absl::StatusOr<std::string> hash = ChainHash(event.prev_hash, CanonicalEventBytes(event));
    if (!hash.ok()) return absl::InternalError("audit.chain_head holds a malformed hash");
    event.hash = *std::move(hash);
    results.push_back(AppendResult{
        .event_id = event.id, .status = AppendStatus::kAccepted, .sequence = event.sequence});
    if (events_json.size() > 1) {
      events_json.push_back(',');
      ids_json.push_back(',');
    }
    CloseEventRow(event_rows[i], event.sequence, event.prev_hash, event.hash);
    events_json.append(event_rows[i]);
    ids_json.append(id_rows[i]).append(",\"sequence\":").append(absl::StrCat(event.sequence));
    ids_json.push_back('}');
    next = ChainHead{.sequence = event.sequence, .hash = event.hash};
  }
  if (events_json.size() == 1) return results;
  events_json.push_back(']');
  ids_json.push_back(']');
  if (absl::StatusOr<pg::Result> r = tx.Execute(sql::kInsertEventIds, {ids_json}); !r.ok()) {
    return r.status();
  }
  if (absl::StatusOr<pg::Result> r = tx.Execute(sql::kInsertEvents, {events_json}); !r.ok()) {
    return r.status();
  }
  absl::StatusOr<pg::Result> updated =
      tx.Execute(sql::kUpdateChainHead, {next.sequence, next.hash});
  if (!updated.ok()) return updated.status();
  return results;
}

}  // namespace backoffice::audit
