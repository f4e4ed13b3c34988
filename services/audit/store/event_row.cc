#include "services/audit/store/event_row.h"

#include <optional>
#include <string>

#include "services/audit/store/canonical_json.h"

namespace backoffice::audit {
namespace {

absl::Status ReadText(const pg::Row& row, const char* column, std::string& out) {
  absl::StatusOr<std::string> value = row.Get<std::string>(column);
  if (!value.ok()) return value.status();
  out = *std::move(value);
  return absl::OkStatus();
}

absl::Status ReadJson(const pg::Row& row, const char* column, std::optional<std::string>& out) {
  absl::StatusOr<std::optional<std::string>> value = row.Get<std::optional<std::string>>(column);
  if (!value.ok()) return value.status();
  if (!value->has_value()) {
    out.reset();
    return absl::OkStatus();
  }
  absl::StatusOr<std::string> canonical = CanonicalJson(std::string_view(**value), column);
  if (!canonical.ok()) return canonical.status();
  out = *std::move(canonical);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Event> EventFromRow(const pg::Row& row) {
  Event event;
  absl::StatusOr<int64_t> sequence = row.Get<int64_t>("sequence");
  if (!sequence.ok()) return sequence.status();
  event.sequence = *sequence;
  absl::StatusOr<absl::Time> event_time = row.Get<absl::Time>("event_time");
  if (!event_time.ok()) return event_time.status();
  event.event_time = *event_time;
  absl::StatusOr<absl::Time> ingest_time = row.Get<absl::Time>("ingest_time");
  if (!ingest_time.ok()) return ingest_time.status();
  event.ingest_time = *ingest_time;
  struct Column {
    const char* name;
    std::string* out;
  };
  for (const Column& column : {
           Column{"id", &event.id},
           Column{"actor_type", &event.actor_type},
           Column{"actor_id", &event.actor_id},
           Column{"actor_display_name", &event.actor_display_name},
           Column{"client_ip", &event.client_ip},
           Column{"user_agent", &event.user_agent},
           Column{"on_behalf_of_id", &event.on_behalf_of_id},
           Column{"action", &event.action},
           Column{"resource_type", &event.resource_type},
           Column{"resource_id", &event.resource_id},
           Column{"service", &event.service},
           Column{"request_id", &event.request_id},
           Column{"trace_id", &event.trace_id},
           Column{"outcome", &event.outcome},
           Column{"message", &event.message},
           Column{"prev_hash", &event.prev_hash},
           Column{"hash", &event.hash},
       }) {
    if (absl::Status status = ReadText(row, column.name, *column.out); !status.ok()) return status;
  }
  for (auto [name, out] : {std::pair{"before", &event.before}, std::pair{"after", &event.after},
                           std::pair{"metadata", &event.metadata}}) {
    if (absl::Status status = ReadJson(row, name, *out); !status.ok()) return status;
  }
  return event;
}

}  // namespace backoffice::audit
