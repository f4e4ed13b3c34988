// The audit binary's --retention_months: a negative value fails at start with one clear line; a
// positive one drops old months at start, as an audited event. The database is migrated and
// filled with events in past months through EventStore (whose `now` places them), then the real
// binary runs retention on it.
#include <signal.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/ids/uuid.h"
#include "libs/pg/migrate.h"
#include "libs/pg/pool.h"
#include "libs/testing/pg_server.h"
#include "services/audit/migrations.h"
#include "services/audit/store/event_store.h"
#include "tests/support/child_process.h"
#include "tests/support/service_process.h"

namespace backoffice::audit::it {
namespace {

constexpr char kBinary[] = "services/audit/audit_service";

std::vector<std::string> AuditFlags(const testing::TestDatabase& db, const std::string& retention) {
  return {absl::StrCat("--db_host=", db.host),
          absl::StrCat("--db_port=", db.port),
          absl::StrCat("--db_name=", db.name),
          absl::StrCat("--db_user=", db.user),
          "--grpc_port=0",
          "--admin_port=0",
          "--allow_ephemeral_checkpoint_key",
          absl::StrCat("--retention_months=", retention)};
}

Event OldEvent(absl::Time when) {
  Event event;
  event.id = ids::NewUuidV7().ToString();
  event.event_time = when;
  event.actor_type = kActorUser;
  event.actor_id = "u-1";
  event.action = "users.user.update";
  event.resource_type = "users.User";
  event.resource_id = "r-1";
  event.service = "users";
  event.outcome = kOutcomeSuccess;
  event.metadata = "{}";
  return event;
}

int64_t Count(pg::Pool& pool, const std::string& sql) {
  absl::StatusOr<pg::PooledConnection> conn = pool.Acquire();
  REQUIRE(conn.ok());
  absl::StatusOr<pg::Result> rows = (*conn)->Execute(sql);
  INFO(rows.status().ToString());
  REQUIRE(rows.ok());
  return *(*rows)[0].Get<int64_t>(0);
}

TEST_CASE("a negative --retention_months fails at start with one clear line") {
  absl::StatusOr<testing::TestDatabase> db = testing::PgServer::Shared().CreateDatabase();
  REQUIRE(db.ok());
  absl::StatusOr<tests::ChildProcess> child =
      tests::ChildProcess::Start(kBinary, AuditFlags(*db, "-1"), tests::TestTempPath("neg.log"));
  REQUIRE(child.ok());
  std::optional<int> code = child->WaitForExit(absl::Seconds(30));
  REQUIRE(code.has_value());
  CHECK(*code != 0);
  std::vector<std::string> lines = absl::StrSplit(child->Output(), '\n', absl::SkipEmpty());
  INFO(child->Output());
  REQUIRE(lines.size() == 1);
  CHECK_THAT(lines.back(), Catch::Contains("--retention_months: must be 0 (keep everything) to "
                                           "1200, got -1"));
  CHECK_THAT(child->Output(), !Catch::Contains("service started"));
}

TEST_CASE("--retention_months=1 drops older months at start as an audited event") {
  absl::StatusOr<testing::TestDatabase> db = testing::PgServer::Shared().CreateDatabase();
  REQUIRE(db.ok());
  pg::ConnectionOptions options = db->options();
  options.search_path = "audit";
  absl::StatusOr<std::unique_ptr<pg::Pool>> pool =
      pg::Pool::Create({.connection = options, .max_size = 2});
  REQUIRE(pool.ok());
  REQUIRE(pg::Migrate(**pool, "audit", kMigrations).ok());
  EventStore store(**pool);
  absl::CivilMonth now = absl::ToCivilMonth(absl::Now(), absl::UTCTimeZone());
  absl::Time two_months_ago =
      absl::FromCivil(absl::CivilDay((now - 2).year(), (now - 2).month(), 10), absl::UTCTimeZone());
  REQUIRE(store.EnsurePartitions(two_months_ago, 1).ok());
  REQUIRE(store.Append({OldEvent(two_months_ago), OldEvent(two_months_ago)}, two_months_ago).ok());
  REQUIRE(store.Append({OldEvent(absl::Now())}, absl::Now()).ok());

  absl::StatusOr<tests::ChildProcess> child =
      tests::ChildProcess::Start(kBinary, AuditFlags(*db, "1"), tests::TestTempPath("keep1.log"));
  REQUIRE(child.ok());
  tests::WaitForServiceStart(*child, "audit");
  boost::json::object applied = tests::WaitForLogLine(*child, "audit", "audit retention applied");
  CHECK(applied.at("events_removed").as_string() == "2");
  CHECK(applied.at("first_retained_sequence").as_string() == "3");
  CHECK(applied.at("event_sequence").as_string() == "4");
  child->Signal(SIGTERM);
  child->WaitForExit(absl::Seconds(20));

  CHECK(Count(**pool, "SELECT count(*) FROM retention_log") == 1);
  CHECK(Count(**pool, "SELECT count(*) FROM event_ids") == 2);
  absl::StatusOr<VerifyResult> verified = store.Verify(0, 0);
  REQUIRE(verified.ok());
  CHECK(verified->intact);
  CHECK(verified->start_sequence == 3);
  CHECK(verified->retention_boundary.has_value());
}

}  // namespace
}  // namespace backoffice::audit::it
