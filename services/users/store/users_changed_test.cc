// Migrations 0014 and 0015's triggers: every committed change to what user_view shows of an
// account notifies `users_changed` with its id, or 'all' for a statement over more than 64
// accounts; a rolled-back change, and an UPDATE of columns user_view does not read (sign-in
// bookkeeping), notify nothing. Heard the way the service hears it (pg::NotificationListener into
// a watch::ChangeFeed). "Nothing" is shown the way a rolled-back change is: the next notification
// is the one for the visible change committed after it.
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
  f.Query("UPDATE users SET failed_logins = failed_logins + 1");  // 129 accounts, none visibly
  f.Query("UPDATE users SET display_name = 'Everyone'");
  CHECK(heard.Next(1) == std::vector<ChangeEvent>{{Kind::kAll, ""}});
  f.Query("DELETE FROM users WHERE email LIKE 'bulk-%'");
  CHECK(heard.Next(1) == std::vector<ChangeEvent>{{Kind::kAll, ""}});
  f.Query("TRUNCATE recovery_codes");
  CHECK(heard.Next(1) == std::vector<ChangeEvent>{{Kind::kAll, ""}});
}

TEST_CASE("sign-in bookkeeping that user_view does not show notifies nothing") {
  testing::StoreFixture f;
  User alice = f.CreateUser("alice");
  User bob = f.CreateUser("bob");
  Listening heard(f);

  // A password set where there was none changes password_set: visible.
  f.Query("UPDATE users SET password_hash = 'hash-1' WHERE id = $1", {alice.id});
  CHECK(heard.Next(1) == std::vector<ChangeEvent>{Key(alice.id)});

  // The columns services/users/auth/queries write outside user_view, one statement per query.
  // save_user_lockout.sql (a failed login, reachable without credentials):
  f.Query(
      "UPDATE users SET failed_logins = 5, last_failed_login_at = now(), "
      "locked_until = now() + interval '15 minutes', lock_count = 1, "
      "last_failed_login_ip = '192.0.2.1' WHERE id = $1",
      {alice.id});
  // set_pending_totp.sql:
  f.Query(
      "UPDATE users SET totp_pending_secret_encrypted = '\\x0102', "
      "totp_pending_expires_at = now() + interval '10 minutes' WHERE id = $1",
      {alice.id});
  // set_totp_last_step.sql:
  f.Query("UPDATE users SET totp_last_step = 12345 WHERE id = $1", {alice.id});
  // rehash_password.sql: another hash of the same password leaves password_set as it was.
  f.Query("UPDATE users SET password_hash = 'hash-2' WHERE id = $1 AND password_hash = 'hash-1'",
          {alice.id});
  // A visible column written with the value it has.
  f.Query("UPDATE users SET display_name = display_name, attributes = attributes WHERE id = $1",
          {alice.id});
  f.Query("UPDATE users SET display_name = 'Bob B' WHERE id = $1", {bob.id});
  CHECK(heard.Next(1) == std::vector<ChangeEvent>{Key(bob.id)});

  // A successful login (record_login.sql) sets last_login_at, which user_view shows.
  f.Query(
      "UPDATE users SET last_login_at = now(), failed_logins = 0, last_failed_login_at = NULL, "
      "locked_until = NULL, lock_count = 0, last_failed_login_ip = '' WHERE id = $1",
      {alice.id});
  CHECK(heard.Next(1) == std::vector<ChangeEvent>{Key(alice.id)});
}

// Migration 0015 compares exactly these `users` columns (password_hash by whether it is set). A
// migration that makes user_view read another column must compare it too, in a new migration.
TEST_CASE("the UPDATE trigger compares every users column that user_view reads") {
  testing::StoreFixture f;
  pg::Result rows = f.Query(
      "SELECT column_name::text FROM information_schema.view_column_usage "
      "WHERE view_name = 'user_view' AND table_name = 'users' ORDER BY 1");
  std::set<std::string> read;
  for (int i = 0; i < rows.size(); ++i) read.insert(*rows[i].Get<std::string>(0));
  CHECK(read == std::set<std::string>{"attributes", "created_at", "deleted_at", "disabled_reason",
                                      "display_name", "email", "email_verified", "id",
                                      "last_login_at", "locale", "password_change_required",
                                      "password_changed_at", "password_hash", "phone_number",
                                      "status", "time_zone", "totp_enabled", "updated_at",
                                      "version"});
}

TEST_CASE("an UPDATE over several accounts notifies only those whose user_view changed") {
  testing::StoreFixture f;
  User a = f.CreateUser("a");
  User b = f.CreateUser("b");
  User c = f.CreateUser("c");
  User d = f.CreateUser("d");
  Listening heard(f);

  // All four rows are updated; only a's and c's display names change.
  f.Query(
      "UPDATE users SET failed_logins = failed_logins + 1, display_name = CASE WHEN id IN "
      "($1::uuid, $2::uuid) THEN display_name || ' X' ELSE display_name END",
      {a.id, c.id});
  std::set<std::string> notified;
  for (const ChangeEvent& event : heard.Next(2)) {
    CHECK(event.kind == Kind::kKey);
    notified.insert(event.key);
  }
  CHECK(notified == std::set<std::string>{a.id, c.id});
  // Nothing for b: the next notification is d's.
  f.Query("UPDATE users SET status = 'disabled' WHERE id = $1", {d.id});
  CHECK(heard.Next(1) == std::vector<ChangeEvent>{Key(d.id)});

  // An account whose id changes is gone under the old id and new under the other: both notify.
  pg::Result moved =
      f.Query("UPDATE users SET id = gen_random_uuid() WHERE id = $1 RETURNING id::text", {b.id});
  REQUIRE(moved.size() == 1);
  notified.clear();
  for (const ChangeEvent& event : heard.Next(2)) notified.insert(event.key);
  CHECK(notified == std::set<std::string>{b.id, *moved[0].Get<std::string>(0)});
}

}  // namespace
}  // namespace backoffice::users
