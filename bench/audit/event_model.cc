#include "bench/audit/event_model.h"

#include <array>
#include <cstdio>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace backoffice::bench {
namespace {

// splitmix64: a well-mixed hash of i, so neighbouring events get unrelated actors and resources.
uint64_t Mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

struct ResourceKind {
  const char* service;
  const char* type;
  const char* noun;
  std::vector<const char*> verbs;
};

// Two kinds per service; kind index 0-3 is part of the resource id, so an id has one type.
const std::array<ResourceKind, 4>& Kinds() {
  static const std::array<ResourceKind, 4> kinds = {{
      {"users", "users.User", "user", {"create", "update", "disable", "enable", "delete"}},
      {"users", "users.Session", "session", {"login", "logout", "refresh"}},
      {"roles", "roles.Role", "role", {"create", "update", "delete"}},
      {"roles", "roles.Grant", "grant", {"create", "delete"}},
  }};
  return kinds;
}

// 2024-01-01T00:00:00Z: the time part of actor ids.
constexpr int64_t kActorIdMillis = 1704067200000;

}  // namespace

absl::StatusOr<EventLayout> MakeLayout(int64_t events, absl::Time from, absl::Time to) {
  if (events < 1) return absl::InvalidArgumentError("events: must be at least 1");
  EventLayout layout;
  layout.events = events;
  layout.resources = std::max<int64_t>(100, events / 40);
  layout.first_time = from;
  layout.spacing = (to - from - layout.ingest_delay) / events;
  if (layout.spacing < absl::Microseconds(1)) {
    return absl::InvalidArgumentError(absl::StrCat("a window of ", absl::FormatDuration(to - from),
                                                   " is too short for ", events,
                                                   " events a microsecond apart"));
  }
  layout.spacing = absl::Microseconds(absl::ToInt64Microseconds(layout.spacing));
  return layout;
}

const std::vector<std::string>& ModelServices() {
  static const std::vector<std::string> services = {"users", "roles"};
  return services;
}

std::string ModelUuid(int64_t unix_millis, uint64_t n) {
  const uint64_t ms = static_cast<uint64_t>(unix_millis) & 0xFFFFFFFFFFFFULL;
  const uint64_t rand_b = n & 0x3FFFFFFFFFFFFFFFULL;
  return absl::StrFormat("%08x-%04x-7000-%04x-%012x", ms >> 16, ms & 0xFFFF,
                         0x8000 | (rand_b >> 48), rand_b & 0xFFFFFFFFFFFFULL);
}

audit::Event ModelEvent(int64_t i, std::string_view service, absl::Time time,
                        const EventLayout& layout) {
  const uint64_t u = static_cast<uint64_t>(i);
  const uint64_t h1 = Mix(u), h2 = Mix(u ^ 0xA5A5A5A5ULL), h3 = Mix(u + 0x5151ULL);
  const int first_kind = service == "roles" ? 2 : 0;
  const int kind_index = first_kind + static_cast<int>(h1 % 2);
  const ResourceKind& kind = Kinds()[kind_index];
  const uint64_t resource = (h2 % static_cast<uint64_t>(layout.resources)) * 4 + kind_index;
  const uint64_t actor = h3 % static_cast<uint64_t>(layout.actors);
  const char* verb = kind.verbs[(h1 >> 8) % kind.verbs.size()];
  const std::string verb_text = verb;

  audit::Event e;
  e.id = ModelUuid(absl::ToUnixMillis(time), u);
  e.event_time = absl::FromUnixMicros(absl::ToUnixMicros(time));
  e.actor_type = audit::kActorUser;
  e.actor_id = ModelUuid(kActorIdMillis, actor);
  e.actor_display_name = absl::StrCat("Operator ", actor);
  e.client_ip = absl::StrCat("10.", (h3 >> 16) % 256, ".", (h3 >> 24) % 256, ".", actor % 256);
  e.user_agent = "Mozilla/5.0 (X11; Linux x86_64) backoffice-bench/1.0";
  e.action = absl::StrCat(kind.service, ".", kind.noun, ".", verb_text);
  e.resource_type = kind.type;
  e.resource_id = ModelUuid(kActorIdMillis + 1, resource);
  e.service = std::string(service);
  e.request_id = absl::StrFormat("req-%016x", h2);
  e.trace_id = absl::StrFormat("%016x%016x", h1, h3);
  e.outcome = (h1 >> 16) % 50 == 0 ? audit::kOutcomeFailure : audit::kOutcomeSuccess;
  e.message = absl::StrCat(kind.noun, " ", verb_text, " by operator ", actor, " on ", kind.noun,
                           " ", resource);
  const std::string name = absl::StrCat("Name ", (h2 >> 20) % 100000);
  const std::string next = absl::StrCat("Name ", (h2 >> 40) % 100000);
  if (verb_text == "create" || verb_text == "login") {
    e.after = absl::StrCat(R"({"display_name":")", next, R"(","status":"active"})");
  } else if (verb_text == "delete" || verb_text == "logout") {
    e.before = absl::StrCat(R"({"display_name":")", name, R"(","status":"active"})");
  } else {
    e.before = absl::StrCat(R"({"display_name":")", name, R"("})");
    e.after = absl::StrCat(R"({"display_name":")", next, R"("})");
  }
  e.metadata = absl::StrCat(R"({"changed":["display_name"],"source":"bench","weight":)",
                            (h3 >> 32) % 1000, "}");
  return e;
}

audit::Event SeedEvent(int64_t i, const EventLayout& layout) {
  const std::string& service = ModelServices()[Mix(static_cast<uint64_t>(i) ^ 0x77ULL) % 2];
  return ModelEvent(i, service, layout.first_time + (i - 1) * layout.spacing, layout);
}

absl::Time SeedIngestTime(int64_t i, const EventLayout& layout) {
  return layout.first_time + (i - 1) * layout.spacing + layout.ingest_delay;
}

}  // namespace backoffice::bench
