// Migration 0014's triggers: every committed change to an account notifies `users_changed` with
// its id, or 'all' for a statement over more than 64 accounts; a rolled-back change notifies
// nothing. Heard the way the service hears it (pg::NotificationListener into a watch::ChangeFeed).
#include <catch2/catch.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "libs/pg/notification_listener.h"
#include "libs/testing/eventually.h"
#include "libs/watch/change_feed.h"
#include "libs/watch/feed_publisher.h"
#include "services/users/store/store_fixture.h"

namespace backoffice::users {
namespace {

using Kind = watch::ChangeEvent::Kind;
using watch::ChangeEvent;

struct Listening {
  explicit Listening(testing::StoreFixture& f)
      : publisher(feed), listener(f.pool().options().connection, "users_changed", publisher) {
    listener.Start();
    REQUIRE(backoffice::testing::Eventually([&] { return listener.listening(); }));
    absl::StatusOr<std::unique_ptr<watch::ChangeFeed::Subscription>> subscribed = feed.Subscribe();
    REQUIRE(subscribed.ok());
    subscription = *std::move(subscribed);
    REQUIRE(Next(1) == std::vector<ChangeEvent>{{Kind::kLive, ""}});
  }

  // The next `count` events (bounded wait: the bound only stops a broken test from hanging).
  std::vector<ChangeEvent> Next(size_t count) {
    std::vector<ChangeEvent> heard;
    absl::Time deadline = absl::Now() + absl::Seconds(20);
    while (heard.size() < count && absl::Now() < deadline) {
      std::optional<std::vector<ChangeEvent>> events = subscription->Next(absl::Milliseconds(100));
      REQUIRE(events.has_value());
      heard.insert(heard.end(), events->begin(), events->end());
    }
    return heard;
  }

  watch::ChangeFeed feed;
  watch::FeedPublisher publisher;
  pg::NotificationListener listener;
  std::unique_ptr<watch::ChangeFeed::Subscription> subscription;
};

ChangeEvent Key(const std::string& id) { return {Kind::kKey, id}; }

// `count` new accounts in one statement; their ids.
std::set<std::string> InsertMany(testing::StoreFixture& f, int count) {
  pg::Result rows = f.Query(
      "INSERT INTO users (id, email, display_name) "
      "SELECT gen_random_uuid(), 'bulk-' || n || '-' || gen_random_uuid() || '@example.com', 'B' "
      "FROM generate_series(1, $1) AS n RETURNING id::text",
      {static_cast<int64_t>(count)});
  std::set<std::string> ids;
  for (int i = 0; i < rows.size(); ++i) ids.insert(*rows[i].Get<std::string>(0));
  return ids;
}

TEST_CASE("a committed change to one account notifies its id; a rolled-back one nothing") {
  testing::StoreFixture f;
  User alice = f.CreateUser("alice");
  User bob = f.CreateUser("bob");
  Listening heard(f);

  f.Query("UPDATE users SET display_name = 'Alice A' WHERE id = $1", {alice.id});
  CHECK(heard.Next(1) == std::vector<ChangeEvent>{Key(alice.id)});

  // recovery_codes_remaining is part of the account (user_view).
  f.Query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, '\\x01'), ($1, '\\x02')",
          {bob.id});
  CHECK(heard.Next(1) == std::vector<ChangeEvent>{Key(bob.id)});
  f.Query("UPDATE recovery_codes SET used_at = now() WHERE user_id = $1", {bob.id});
  CHECK(heard.Next(1) == std::vector<ChangeEvent>{Key(bob.id)});

  // A rolled-back change says nothing: the next event is the change committed after it.
  {
    absl::StatusOr<pg::PooledConnection> conn = f.pool().Acquire();
    REQUIRE(conn.ok());
    REQUIRE((*conn)
                ->ExecuteScript("BEGIN; UPDATE users SET display_name = 'Not Alice' WHERE id = '" +
                                alice.id + "'; ROLLBACK")
                .ok());
  }
  f.Query("DELETE FROM users WHERE id = $1", {bob.id});  // its recovery codes go with it
  CHECK(heard.Next(1) == std::vector<ChangeEvent>{Key(bob.id)});
}

TEST_CASE("a statement over at most 64 accounts notifies each id; over 64, 'all'") {
  testing::StoreFixture f;
  Listening heard(f);

  std::set<std::string> ids = InsertMany(f, 64);
  std::vector<ChangeEvent> events = heard.Next(64);
  std::set<std::string> notified;
  for (const ChangeEvent& event : events) {
    CHECK(event.kind == Kind::kKey);
    notified.insert(event.key);
  }
  CHECK(notified == ids);

  InsertMany(f, 65);
  CHECK(heard.Next(1) == std::vector<ChangeEvent>{{Kind::kAll, ""}});
  f.Query("UPDATE users SET display_name = 'Everyone'");  // 129 accounts
  CHECK(heard.Next(1) == std::vector<ChangeEvent>{{Kind::kAll, ""}});
  f.Query("DELETE FROM users WHERE email LIKE 'bulk-%'");
  CHECK(heard.Next(1) == std::vector<ChangeEvent>{{Kind::kAll, ""}});
  f.Query("TRUNCATE recovery_codes");
  CHECK(heard.Next(1) == std::vector<ChangeEvent>{{Kind::kAll, ""}});
}

}  // namespace
}  // namespace backoffice::users
