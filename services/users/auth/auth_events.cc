#include "services/users/auth/auth_events.h"

#include "libs/ids/uuid.h"

namespace backoffice::users {

std::string TimeJson(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", time, absl::UTCTimeZone());
}

outbox::OutboxEvent NewEvent(std::string_view aggregate_type, std::string_view aggregate_id,
                             std::string_view event_type, const Actor& actor, absl::Time now) {
  return outbox::OutboxEvent{
      .id = ids::NewUuidV7(),
      .aggregate_type = std::string(aggregate_type),
      .aggregate_id = std::string(aggregate_id),
      .event_type = std::string(event_type),
      .actor_type = actor.type.empty() ? std::string(outbox::kActorSystem) : actor.type,
      .actor_id = actor.id,
      .request_id = actor.request_id,
      .trace_id = actor.trace_id,
      .occurred_at = now,
  };
}

}  // namespace backoffice::users
