// The synthetic audit log of the audit benchmark: event number i (1, 2, ...) is a pure function
// of i and the layout, so the seeder (seed_events.cc) and the load driver (audit_bench.cc) agree
// on what is stored without sharing files: the driver picks a random seeded i and queries by that
// event's actor, action or resource.
//
//   EventLayout layout = MakeLayout(10'000'000, month_start, now);
//   audit::Event e = SeedEvent(42, layout);          // producer fields, as AppendEvents stores
//   them e.sequence = 42; e.ingest_time = SeedIngestTime(42, layout);
//
// Shape: ACTORS user actors (~events/actors events each), resources in four types (users.User,
// users.Session, roles.Role, roles.Grant; ~10 events per resource), 13 actions
// (`<service>.<resource>.<verb>`), a message, small before/after/metadata JSON objects written
// in canonical JSON (services/audit/store/canonical_json.h), about 600 bytes a row.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/audit/store/event.h"

namespace backoffice::bench {

/// How the synthetic log is spread.
struct EventLayout {
  /// Events seeded (sequences 1..events).
  int64_t events = 0;
  /// Distinct actor ids.
  int64_t actors = 1000;
  /// Distinct resources (each of one type).
  int64_t resources = 1000;
  /// event_time of event 1; event i is (i - 1) * spacing later.
  absl::Time first_time = absl::UnixEpoch();
  absl::Duration spacing = absl::Seconds(1);
  /// ingest_time = event_time + ingest_delay.
  absl::Duration ingest_delay = absl::Milliseconds(20);
};

/// A layout of `events` events whose times fall in [from, to) (the audit service partitions by
/// month of ingest_time: both ends in one month with a partition). Actors: 1,000; resources: events
/// / 40 of each of the four types (at least 100), so about 10 events each. INVALID_ARGUMENT when
/// the window is too short for distinct
/// microseconds.
absl::StatusOr<EventLayout> MakeLayout(int64_t events, absl::Time from, absl::Time to);

/// The services whose events the model writes (each event's `service`).
const std::vector<std::string>& ModelServices();

/// Producer fields of event `i` attributed to `service` (one of ModelServices()): a UUIDv7 id
/// (event_time's milliseconds, `i` in the random bits), event_time `time`, a user actor, an
/// action and resource of that service, request and trace ids, outcome, message, JSON.
audit::Event ModelEvent(int64_t i, std::string_view service, absl::Time time,
                        const EventLayout& layout);

/// Event `i` (1..layout.events) as seeded: ModelEvent with the service chosen by i and
/// event_time first_time + (i - 1) * spacing. Store-set fields are left empty.
audit::Event SeedEvent(int64_t i, const EventLayout& layout);

/// The ingest_time the seeder stores for event `i`.
absl::Time SeedIngestTime(int64_t i, const EventLayout& layout);

/// A UUIDv7 text with the given Unix milliseconds and `n` in its 62 random bits.
std::string ModelUuid(int64_t unix_millis, uint64_t n);

}  // namespace backoffice::bench
