#include "libs/outbox/outbox.h"

#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "libs/outbox/queries.h"
#include "libs/pg/result.h"

namespace backoffice::outbox {
namespace {

std::optional<std::string> JsonOrNull(const std::string& json) {
  if (json.empty()) {
    return std::nullopt;
  }
  return json;
}

absl::Status Validate(const OutboxEvent& event) {
  if (!event.id.is_v7()) {
    return absl::InvalidArgumentError("outbox event id: must be a UUIDv7");
  }
  if (event.aggregate_type.empty()) {
    return absl::InvalidArgumentError("outbox event aggregate_type: required");
  }
  if (event.aggregate_id.empty()) {
    return absl::InvalidArgumentError("outbox event aggregate_id: required");
  }
  if (event.event_type.empty()) {
    return absl::InvalidArgumentError("outbox event event_type: required");
  }
  if (event.actor_type != kActorUser && event.actor_type != kActorService &&
      event.actor_type != kActorSystem) {
    return absl::InvalidArgumentError(
        "outbox event actor_type: must be \"user\", \"service\" or \"system\"");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status AppendToOutbox(pg::Transaction& tx, const OutboxEvent& event) {
  if (absl::Status status = Validate(event); !status.ok()) {
    return status;
  }
  absl::StatusOr<pg::Result> result =
      tx.Execute(sql::kAppendOutboxEvent,
                 {event.id.ToString(), event.aggregate_type, event.aggregate_id, event.event_type,
                  event.actor_type, event.actor_id, event.request_id, event.trace_id,
                  JsonOrNull(event.before), JsonOrNull(event.after),
                  event.metadata.empty() ? std::string("{}") : event.metadata, event.occurred_at});
  return result.status();
}

std::string OutboxChannel(std::string_view schema) {
  return absl::StrCat(absl::string_view(schema.data(), schema.size()), "_outbox");
}

}  // namespace backoffice::outbox
