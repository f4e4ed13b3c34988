#include "services/audit/store/retention_record.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "boost/json.hpp"
#include "services/audit/store/canonical_event.h"
#include "services/audit/store/canonical_json.h"

namespace backoffice::audit {
namespace {

boost::json::string_view Json(std::string_view text) { return {text.data(), text.size()}; }

}  // namespace

absl::StatusOr<RetentionBoundary> RetentionBoundaryFromRow(const pg::Row& row) {
  RetentionBoundary boundary;
  absl::StatusOr<int64_t> log_id = row.Get<int64_t>("id");
  absl::StatusOr<absl::Time> applied = row.Get<absl::Time>("applied_time");
  absl::StatusOr<std::string> partitions = row.Get<std::string>("dropped_partitions");
  absl::StatusOr<absl::Time> from = row.Get<absl::Time>("removed_from");
  absl::StatusOr<absl::Time> to = row.Get<absl::Time>("removed_to");
  absl::StatusOr<int64_t> removed = row.Get<int64_t>("events_removed");
  absl::StatusOr<int64_t> first = row.Get<int64_t>("first_retained_sequence");
  absl::StatusOr<std::string> prev_hash = row.Get<std::string>("first_retained_prev_hash");
  absl::StatusOr<std::string> event_id = row.Get<std::string>("event_id");
  for (const absl::Status& s :
       {log_id.status(), applied.status(), partitions.status(), from.status(), to.status(),
        removed.status(), first.status(), prev_hash.status(), event_id.status()}) {
    if (!s.ok()) return s;
  }
  boundary.log_id = *log_id;
  boundary.applied_time = *applied;
  boundary.dropped_partitions = absl::StrSplit(*partitions, ',', absl::SkipEmpty());
  boundary.removed_from = *from;
  boundary.removed_to = *to;
  boundary.events_removed = *removed;
  boundary.first_retained_sequence = *first;
  boundary.first_retained_prev_hash = *std::move(prev_hash);
  boundary.event_id = *std::move(event_id);
  return boundary;
}

Event RetentionEvent(const RetentionBoundary& boundary, int retention_months, absl::Time now) {
  boost::json::object metadata;
  metadata["retention_log_id"] = boundary.log_id;
  boost::json::array partitions;
  for (const std::string& name : boundary.dropped_partitions) partitions.push_back(Json(name));
  metadata["dropped_partitions"] = std::move(partitions);
  metadata["removed_from"] = Json(CanonicalTime(boundary.removed_from));
  metadata["removed_to"] = Json(CanonicalTime(boundary.removed_to));
  metadata["events_removed"] = boundary.events_removed;
  metadata["first_retained_sequence"] = boundary.first_retained_sequence;
  metadata["first_retained_prev_hash"] = Json(boundary.first_retained_prev_hash);
  metadata["retention_months"] = retention_months;

  Event event;
  event.id = boundary.event_id;
  event.event_time = absl::FromUnixMicros(absl::ToUnixMicros(now));
  event.actor_type = kActorSystem;
  event.actor_id = kRetentionActorId;
  event.actor_display_name = "audit retention";
  event.action = kRetentionAction;
  event.resource_type = "audit.RetentionBoundary";
  event.resource_id = absl::StrCat(boundary.first_retained_sequence);
  event.service = "audit";
  event.outcome = kOutcomeSuccess;
  event.message =
      absl::StrCat("retention removed ", boundary.events_removed,
                   " events; the chain is kept from sequence ", boundary.first_retained_sequence);
  // Integers below 2^53 and strings only: canonical JSON cannot fail here.
  event.metadata = *CanonicalJson(boost::json::value(std::move(metadata)), "metadata");
  return event;
}

bool RecordsBoundary(const Event& event, const RetentionBoundary& boundary) {
  if (event.action != kRetentionAction || event.service != "audit" ||
      event.actor_type != kActorSystem || event.actor_id != kRetentionActorId ||
      event.id != boundary.event_id || !event.metadata.has_value()) {
    return false;
  }
  boost::system::error_code error;
  boost::json::value parsed = boost::json::parse(Json(*event.metadata), error);
  if (error || !parsed.is_object()) return false;
  const boost::json::object& metadata = parsed.as_object();
  const boost::json::value* sequence = metadata.if_contains("first_retained_sequence");
  const boost::json::value* prev_hash = metadata.if_contains("first_retained_prev_hash");
  const boost::json::value* log_id = metadata.if_contains("retention_log_id");
  if (sequence == nullptr || prev_hash == nullptr || log_id == nullptr || !prev_hash->is_string()) {
    return false;
  }
  // Numbers in stored metadata read back as doubles (canonical JSON); these are exact below 2^53.
  auto as_int = [](const boost::json::value& v) -> int64_t {
    if (v.is_int64()) return v.as_int64();
    if (v.is_uint64()) return static_cast<int64_t>(v.as_uint64());
    if (v.is_double() &&
        v.as_double() == static_cast<double>(static_cast<int64_t>(v.as_double()))) {
      return static_cast<int64_t>(v.as_double());
    }
    return -1;
  };
  return as_int(*sequence) == boundary.first_retained_sequence &&
         as_int(*log_id) == boundary.log_id &&
         std::string_view(prev_hash->as_string()) == boundary.first_retained_prev_hash;
}

std::string RecordedPrevHash(const Event& event) {
  if (!event.metadata.has_value()) return "";
  boost::system::error_code error;
  boost::json::value parsed = boost::json::parse(Json(*event.metadata), error);
  if (error || !parsed.is_object()) return "";
  const boost::json::value* prev_hash = parsed.as_object().if_contains("first_retained_prev_hash");
  if (prev_hash == nullptr || !prev_hash->is_string()) return "";
  return std::string(prev_hash->as_string());
}

}  // namespace backoffice::audit
