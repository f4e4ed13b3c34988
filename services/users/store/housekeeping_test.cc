// Housekeeping against a real PostgreSQL: what is past its time goes, everything else stays.
#include "services/users/store/housekeeping.h"

#include <catch2/catch.hpp>

#include "absl/time/clock.h"
#include "services/users/store/store_fixture.h"

namespace backoffice::users {
namespace {

using testing::AdminActor;

void AddSession(testing::StoreFixture& f, const std::string& user_id, const std::string& ends) {
  f.Query(
      "INSERT INTO sessions (id, user_id, idle_expires_at, absolute_expires_at) "
      "VALUES (gen_random_uuid(), $1, now() + interval '1 h', " +
          ends + ")",
      {user_id});
}

TEST_CASE("accounts past purge_time are erased with a user.purged event; the rest stays") {
  testing::StoreFixture f;
  User old_deleted = f.CreateUser("old-deleted");
  User new_deleted = f.CreateUser("new-deleted");
  User alive = f.CreateUser("alive");
  for (const User* user : {&old_deleted, &new_deleted}) {
    REQUIRE(f.store().SoftDelete(user->id, std::nullopt, AdminActor()).ok());
  }
  f.Query("UPDATE users SET deleted_at = now() - interval '31 days' WHERE id = $1",
          {old_deleted.id});
  AddSession(f, old_deleted.id, "now() + interval '1 day'");

  Housekeeping housekeeping(f.pool(), {});
  absl::StatusOr<HousekeepingReport> report = housekeeping.RunOnce(absl::Now());
  REQUIRE(report.ok());
  CHECK(report->users_purged == 1);
  CHECK(f.Count("SELECT count(*) FROM users WHERE id = $1", {old_deleted.id}) == 0);
  CHECK(f.Count("SELECT count(*) FROM sessions WHERE user_id = $1", {old_deleted.id}) == 0);
  CHECK(f.Count("SELECT count(*) FROM users WHERE id IN ($1, $2)", {new_deleted.id, alive.id}) ==
        2);
  CHECK(f.Count("SELECT count(*) FROM outbox WHERE event_type = 'user.purged' AND "
                "aggregate_id = $1 AND actor_type = 'system' AND after IS NULL",
                {old_deleted.id}) == 1);
  // The event keeps no personal data.
  CHECK(f.Count("SELECT count(*) FROM outbox WHERE event_type = 'user.purged' AND "
                "before::text LIKE '%@%'") == 0);

  // A second run finds nothing.
  report = housekeeping.RunOnce(absl::Now());
  REQUIRE(report.ok());
  CHECK(report->total() == 0);
}

TEST_CASE("expired idempotency records, expired challenges and long-ended sessions go") {
  testing::StoreFixture f;
  User user = f.CreateUser("sessions");
  AddSession(f, user.id, "now() - interval '40 days'");  // expired long ago
  AddSession(f, user.id, "now() - interval '1 day'");    // expired recently: still listed
  AddSession(f, user.id, "now() + interval '1 day'");    // live
  f.Query(
      "UPDATE sessions SET revoked_at = now() - interval '45 days', revoke_reason = 'logout' "
      "WHERE absolute_expires_at > now()");             // revoked long ago
  AddSession(f, user.id, "now() + interval '2 days'");  // live
  f.Query(
      "INSERT INTO login_challenges (token_hash, user_id, created_at, expires_at) VALUES "
      "(sha256('a'), $1, now() - interval '1 h', now() - interval '50 min'), "
      "(sha256('b'), $1, now(), now() + interval '5 min')",
      {user.id});
  NewUser keyed;
  keyed.fields.email = "keyed@example.com";
  keyed.request_id = "create-once";
  REQUIRE(f.store().Create(keyed, AdminActor()).ok());
  REQUIRE(f.Count("SELECT count(*) FROM idempotency_keys") == 1);
  f.Query("UPDATE idempotency_keys SET expires_at = now() - interval '1 s'");

  Housekeeping housekeeping(f.pool(), {.batch = 1});  // several batches per table
  absl::StatusOr<HousekeepingReport> report = housekeeping.RunOnce(absl::Now());
  REQUIRE(report.ok());
  CHECK(report->sessions == 2);
  CHECK(report->login_challenges == 1);
  CHECK(report->idempotency_keys == 1);
  CHECK(f.Count("SELECT count(*) FROM sessions") == 2);
  CHECK(f.Count("SELECT count(*) FROM login_challenges") == 1);
  CHECK(f.Count("SELECT count(*) FROM idempotency_keys") == 0);
}

}  // namespace
}  // namespace backoffice::users
