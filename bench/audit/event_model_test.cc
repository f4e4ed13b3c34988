#include "bench/audit/event_model.h"

#include <catch2/catch.hpp>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "libs/ids/uuid.h"
#include "services/audit/store/canonical_json.h"
#include "services/audit/store/event_validation.h"

namespace backoffice::bench {
namespace {

const absl::Time kFrom = absl::FromUnixSeconds(1793491200);  // 2026-11-01T00:00:00Z
const absl::Time kTo = kFrom + absl::Hours(24 * 21);

TEST_CASE("the layout spreads the events over the window in whole microseconds") {
  absl::StatusOr<EventLayout> layout = MakeLayout(10'000'000, kFrom, kTo);
  REQUIRE(layout.ok());
  CHECK(layout->resources == 250'000);
  CHECK(absl::ToInt64Nanoseconds(layout->spacing) % 1000 == 0);
  CHECK(SeedEvent(1, *layout).event_time == kFrom);
  CHECK(SeedIngestTime(layout->events, *layout) < kTo);
  CHECK(SeedIngestTime(2, *layout) > SeedIngestTime(1, *layout));
  CHECK_FALSE(MakeLayout(10'000'000, kFrom, kFrom + absl::Seconds(5)).ok());
  CHECK_FALSE(MakeLayout(0, kFrom, kTo).ok());
}

TEST_CASE("seeded events are valid, already normalized, canonical and deterministic") {
  absl::StatusOr<EventLayout> layout = MakeLayout(1'000'000, kFrom, kTo);
  REQUIRE(layout.ok());
  for (int64_t i : {1, 2, 3, 77, 4242, 999'999, 1'000'000}) {
    const audit::Event event = SeedEvent(i, *layout);
    CHECK(SeedEvent(i, *layout) == event);
    audit::Event normalized = event;
    REQUIRE(audit::NormalizeEvent(normalized, "events[0]", kTo).ok());
    CHECK(normalized == event);
    for (const std::optional<std::string>* json : {&event.before, &event.after, &event.metadata}) {
      if (!json->has_value()) continue;
      absl::StatusOr<std::string> canonical = audit::CanonicalJson(**json, "json");
      REQUIRE(canonical.ok());
      CHECK(*canonical == **json);
    }
    CHECK(event.action.rfind(event.service + ".", 0) == 0);
  }
}

TEST_CASE("ids are distinct UUIDv7s and a resource id always has one type") {
  absl::StatusOr<EventLayout> layout = MakeLayout(100'000, kFrom, kTo);
  REQUIRE(layout.ok());
  absl::flat_hash_set<std::string> ids;
  absl::flat_hash_map<std::string, std::string> type_of;
  absl::flat_hash_set<std::string> actors;
  for (int64_t i = 1; i <= layout->events; ++i) {
    const audit::Event event = SeedEvent(i, *layout);
    absl::StatusOr<ids::Uuid> id = ids::ParseUuid(event.id);
    REQUIRE(id.ok());
    REQUIRE(id->is_v7());
    REQUIRE(ids.insert(event.id).second);
    auto [it, inserted] = type_of.emplace(event.resource_id, event.resource_type);
    REQUIRE(it->second == event.resource_type);
    actors.insert(event.actor_id);
  }
  CHECK(actors.size() == 1000);
  // About ten events per resource.
  CHECK(type_of.size() > 8000);
  CHECK(type_of.size() < 10001);
}

}  // namespace
}  // namespace backoffice::bench
