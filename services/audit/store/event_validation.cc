#include "services/audit/store/event_validation.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/ids/uuid.h"

namespace backoffice::audit {
namespace {

absl::string_view Absl(std::string_view text) { return {text.data(), text.size()}; }

absl::Status Invalid(std::string_view prefix, std::string_view field, std::string_view problem) {
  return absl::InvalidArgumentError(
      absl::StrCat(Absl(prefix), ".", Absl(field), ": ", Absl(problem)));
}

size_t CodePoints(std::string_view text) {
  size_t count = 0;
  for (char c : text) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return count;
}

absl::Status CheckText(std::string_view prefix, std::string_view field, const std::string& value,
                       size_t max_bytes, bool required) {
  if (required && value.empty()) return Invalid(prefix, field, "required");
  if (value.size() > max_bytes) {
    return Invalid(prefix, field, absl::StrCat("at most ", max_bytes, " bytes"));
  }
  if (value.find('\0') != std::string::npos) return Invalid(prefix, field, "must not hold NUL");
  return absl::OkStatus();
}

bool IsLowerSnake(std::string_view segment) {
  if (segment.empty()) return false;
  for (char c : segment) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

bool IsAction(std::string_view action) {
  if (action.size() < 3 || action.size() > 128) return false;
  std::vector<absl::string_view> segments = absl::StrSplit(Absl(action), '.');
  if (segments.size() < 3) return false;
  for (absl::string_view segment : segments) {
    if (!IsLowerSnake(std::string_view(segment.data(), segment.size()))) return false;
  }
  return true;
}

bool IsTraceId(std::string_view id) {
  if (id.size() != 32) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

absl::Status NormalizeEvent(Event& event, std::string_view prefix, absl::Time now) {
  absl::StatusOr<ids::Uuid> id = ids::ParseUuid(event.id);
  if (!id.ok() || !id->is_v7()) return Invalid(prefix, "id", "must be a UUIDv7");
  event.id = id->ToString();

  if (event.event_time == absl::InfinitePast() || event.event_time == absl::InfiniteFuture() ||
      event.event_time <= absl::UnixEpoch()) {
    return Invalid(prefix, "event_time", "required");
  }
  if (event.event_time > now + absl::Hours(24)) {
    return Invalid(prefix, "event_time", "more than 24 hours in the future");
  }
  event.event_time = absl::FromUnixMicros(absl::ToUnixMicros(event.event_time));

  if (event.actor_type != kActorUser && event.actor_type != kActorService &&
      event.actor_type != kActorSystem && event.actor_type != kActorAnonymous) {
    return Invalid(prefix, "actor.type", "required");
  }
  struct Text {
    const char* field;
    const std::string* value;
    size_t max_bytes;
    bool required;
  };
  for (const Text& text : {
           Text{"actor.id", &event.actor_id, 128, false},
           Text{"actor.display_name", &event.actor_display_name, 256, false},
           Text{"actor.ip_address", &event.client_ip, 64, false},
           Text{"actor.user_agent", &event.user_agent, 512, false},
           Text{"actor.on_behalf_of_id", &event.on_behalf_of_id, 128, false},
           Text{"action", &event.action, 128, true},
           Text{"resource_type", &event.resource_type, 64, true},
           Text{"resource_id", &event.resource_id, 128, false},
           Text{"service", &event.service, 64, true},
           Text{"request_id", &event.request_id, 128, false},
           Text{"message", &event.message, 4000, false},
       }) {
    if (absl::Status status =
            CheckText(prefix, text.field, *text.value, text.max_bytes, text.required);
        !status.ok()) {
      return status;
    }
  }
  if (!IsAction(event.action)) {
    return Invalid(prefix, "action",
                   "must be <service>.<resource>.<verb> in lower snake case, 3 to 128 bytes");
  }
  if (!event.trace_id.empty() && !IsTraceId(event.trace_id)) {
    return Invalid(prefix, "trace_id", "must be 32 lowercase hex characters");
  }
  if (event.outcome != kOutcomeSuccess && event.outcome != kOutcomeFailure &&
      event.outcome != kOutcomeDenied) {
    return Invalid(prefix, "outcome", "required");
  }
  if (CodePoints(event.message) > 1000)
    return Invalid(prefix, "message", "at most 1000 characters");

  size_t json_bytes = 0;
  for (auto [field, json] : {std::pair{"before", &event.before}, std::pair{"after", &event.after},
                             std::pair{"metadata", &event.metadata}}) {
    if (!json->has_value()) continue;
    if ((*json)->empty() || (*json)->front() != '{') {
      return Invalid(prefix, field, "must be a JSON object");
    }
    if (absl::StrContains(**json, "\\u0000")) {
      return Invalid(prefix, field, "must not hold U+0000");
    }
    json_bytes += (*json)->size();
  }
  if (json_bytes > kMaxJsonBytes) {
    return Invalid(prefix, "metadata", "before, after and metadata together at most 64 KiB");
  }

  event.sequence = 0;
  event.ingest_time = absl::UnixEpoch();
  event.prev_hash.clear();
  event.hash.clear();
  return absl::OkStatus();
}

}  // namespace backoffice::audit
