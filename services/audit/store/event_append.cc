#include "services/audit/store/event_append.h"

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

// The row of `e` as stored with ingest_time `ingest_time` (canonical text).
boost::json::object EventJson(const Event& e, std::string_view ingest_time) {
  boost::json::object row;
  row["sequence"] = e.sequence;
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
  row["prev_hash"] = Json(e.prev_hash);
  row["hash"] = Json(e.hash);
  return row;
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
  // concurrent appends serialize on less work: the content digests and each event's row object
  // (sequence, prev_hash and hash are filled in under the lock).
  std::vector<std::string> digests;
  digests.reserve(events.size());
  std::vector<boost::json::object> rows;
  rows.reserve(events.size());
  const std::string ingest_text = CanonicalTime(ingest_time);
  for (const Event& event : events) {
    digests.push_back(Sha256Hex(CanonicalContentBytes(event)));
    rows.push_back(EventJson(event, ingest_text));
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

  boost::json::array event_rows;
  boost::json::array id_rows;
  ChainHead next = *head;
  for (size_t i = 0; i < events.size(); ++i) {
    const Event& original = events[i];
    const std::string& digest = digests[i];
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
    id_row["ingest_time"] = Json(ingest_text);
    id_row["content_digest"] = Json(digest);
    id_rows.push_back(std::move(id_row));
    boost::json::object& row = rows[i];
    row["sequence"] = event.sequence;
    row["prev_hash"] = Json(event.prev_hash);
    row["hash"] = Json(event.hash);
    event_rows.push_back(std::move(row));
  }
  if (event_rows.empty()) return results;
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
  if (!updated.ok()) return updated.status();
  return results;
}

}  // namespace backoffice::audit
