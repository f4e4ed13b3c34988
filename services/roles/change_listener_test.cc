#include "services/roles/change_listener.h"

#include <catch2/catch.hpp>

#include "absl/time/clock.h"
#include "libs/testing/eventually.h"
#include "services/roles/store/store_fixture.h"

namespace backoffice::roles {
namespace {

using backoffice::testing::Eventually;
using testing::AdminActor;
using testing::NewId;
using watch::ChangeEvent;
using watch::ChangeFeed;

// Collects events until `count` arrived (or 20 s passed).
std::vector<ChangeEvent> Drain(ChangeFeed::Subscription& watch, size_t count) {
  std::vector<ChangeEvent> heard;
  absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (heard.size() < count && absl::Now() < deadline) {
    std::optional<std::vector<ChangeEvent>> events = watch.Next(absl::Milliseconds(100));
    if (!events.has_value()) break;
    heard.insert(heard.end(), events->begin(), events->end());
  }
  return heard;
}

std::shared_ptr<const EffectivePermissions> Cached(PermissionCache& cache, GrantStore& grants,
                                                   const std::string& user) {
  uint64_t generation = cache.generation();
  auto entry = std::make_shared<const EffectivePermissions>(*grants.Effective(user));
  cache.Insert(user, entry, generation);
  return entry;
}

TEST_CASE("a committed grant drops exactly that user's cached answer; role changes drop all") {
  testing::StoreFixture f;
  PermissionCache cache;
  ChangeFeed feed;
  ChangeListener listener(f.connection(), cache, &feed);
  listener.Start();
  REQUIRE(Eventually([&] { return listener.listening(); }));
  auto watch = feed.Subscribe();
  REQUIRE(watch.ok());
  Role role = f.MakeRole("watched", {"audit:read"});
  std::string alice = NewId(), bob = NewId();
  Cached(cache, f.grants(), alice);
  Cached(cache, f.grants(), bob);
  REQUIRE(cache.size() == 2);

  f.MakeGrant(alice, role.id);
  REQUIRE(Eventually([&] { return cache.Find(alice, absl::Now()) == nullptr; }));
  CHECK(cache.Find(bob, absl::Now()) != nullptr);

  Cached(cache, f.grants(), alice);
  REQUIRE(f.roles()
              .Update({.id = role.id,
                       .fields = {.permissions = {"audit:export"}},
                       .update_mask = {"permissions"}},
                      AdminActor())
              .ok());
  REQUIRE(Eventually([&] { return cache.size() == 0; }));
  CHECK(listener.notifications() >= 2);
  // The watcher saw the same, in commit order (creating the role touched no grant: no event).
  CHECK(Drain(**watch, 3) == std::vector<ChangeEvent>{{ChangeEvent::Kind::kLive, ""},
                                                      {ChangeEvent::Kind::kKey, alice},
                                                      {ChangeEvent::Kind::kAll, ""}});
}

TEST_CASE("after losing its connection the listener pauses caching, reconnects and flushes") {
  testing::StoreFixture f;
  PermissionCache cache;
  ChangeFeed feed;
  ChangeListener listener(f.connection(), cache, &feed,
                          {.reconnect_delay = absl::Milliseconds(20)});
  listener.Start();
  REQUIRE(Eventually([&] { return listener.listening(); }));
  auto watch = feed.Subscribe();
  REQUIRE(watch.ok());
  std::string user = NewId();
  Cached(cache, f.grants(), user);
  REQUIRE(cache.size() == 1);
  f.Query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
      "WHERE query LIKE 'LISTEN%' AND datname = current_database()");
  REQUIRE(Eventually([&] { return listener.connects() >= 2 && listener.listening(); }));
  CHECK(cache.Find(user, absl::Now()) == nullptr);
  // Listening again: notifications arrive as before.
  Cached(cache, f.grants(), user);
  f.MakeGrant(user, kViewerRoleId);
  CHECK(Eventually([&] { return cache.Find(user, absl::Now()) == nullptr; }));
  // A watcher heard: live, paused while disconnected, live again, then the grant's user.
  std::vector<ChangeEvent> heard = Drain(**watch, 4);
  CHECK(heard == std::vector<ChangeEvent>{{ChangeEvent::Kind::kLive, ""},
                                          {ChangeEvent::Kind::kPaused, ""},
                                          {ChangeEvent::Kind::kLive, ""},
                                          {ChangeEvent::Kind::kKey, user}});
}

}  // namespace
}  // namespace backoffice::roles
