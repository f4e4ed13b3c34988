// Transactional outbox: record a domain event in the same transaction as the change it describes.
//
//   absl::Status status = pg::WithTransaction(pool, [&](pg::Transaction& tx) -> absl::Status {
//     ... UPDATE users ... ;
//     return outbox::AppendToOutbox(tx, {.id = ids::NewUuidV7(), .aggregate_type = "user",
//                                        .aggregate_id = id, .event_type = "user.updated", ...});
//   });
//
// The table each service's migration must create is specified in libs/outbox/README.md.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/ids/uuid.h"
#include "libs/pg/transaction.h"

namespace backoffice::outbox {

/// Who caused an event: `actor_type` values accepted by the outbox table.
inline constexpr char kActorUser[] = "user";
inline constexpr char kActorService[] = "service";
inline constexpr char kActorSystem[] = "system";

/// One domain event. Consumers deduplicate by `id`, so a relay may deliver it more than once.
struct OutboxEvent {
  /// Unique event id, a UUIDv7 (ids::NewUuidV7()).
  ids::Uuid id;
  /// What kind of thing changed: "user", "session", "signing_key".
  std::string aggregate_type;
  /// Which one: usually its UUID in canonical text.
  std::string aggregate_id;
  /// "<aggregate>.<past-tense verb>": "user.created", "user.updated".
  std::string event_type;
  /// kActorUser, kActorService or kActorSystem.
  std::string actor_type;
  /// The user or service account id; may be empty for "system".
  std::string actor_id;
  /// The caller's x-request-id; empty if none.
  std::string request_id;
  /// The W3C trace id; empty if none.
  std::string trace_id;
  /// JSON of the state before the change; empty for none (creations). Never secrets.
  std::string before;
  /// JSON of the state after the change; empty for none (hard deletions). Never secrets.
  std::string after;
  /// A JSON object with anything else worth keeping (reason, changed fields); empty means {}.
  std::string metadata;
  /// When the change happened (normally the transaction's now()).
  absl::Time occurred_at = absl::UnixEpoch();
};

/// Inserts `event` into the `outbox` table of the transaction's schema (unqualified: the session's
/// search_path names the service schema) and queues `pg_notify('<schema>_outbox', '')`, which
/// listeners receive only if `tx` commits. INVALID_ARGUMENT, before touching the database, for a
/// nil or non-v7 id, an empty aggregate_type, aggregate_id or event_type, or an unknown
/// actor_type; invalid JSON fails in the database (INVALID_ARGUMENT) and aborts `tx`. Other errors
/// as libs/pg maps them.
absl::Status AppendToOutbox(pg::Transaction& tx, const OutboxEvent& event);

/// The NOTIFY channel relays LISTEN on for `schema`'s outbox: "<schema>_outbox" ("users_outbox").
std::string OutboxChannel(std::string_view schema);

}  // namespace backoffice::outbox
