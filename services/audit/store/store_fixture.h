// Test fixture: a fresh database migrated with the audit migrations, a pool with
// search_path = audit, an EventStore and helpers to tamper with rows as a superuser.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "libs/ids/uuid.h"
#include "libs/pg/migrate.h"
#include "libs/pg/pool.h"
#include "libs/testing/pg_server.h"
#include "services/audit/migrations.h"
#include "services/audit/store/event.h"
#include "services/audit/store/event_store.h"

namespace backoffice::audit::testing {

class StoreFixture {
 public:
  StoreFixture() {
    absl::StatusOr<backoffice::testing::TestDatabase> db =
        backoffice::testing::PgServer::Shared().CreateDatabase();
    REQUIRE(db.ok());
    options_ = db->options();
    options_.search_path = "audit";
    absl::StatusOr<std::unique_ptr<pg::Pool>> pool =
        pg::Pool::Create({.connection = options_, .max_size = 4});
    REQUIRE(pool.ok());
    pool_ = *std::move(pool);
    absl::Status migrated = pg::Migrate(*pool_, "audit", kMigrations);
    INFO(migrated.ToString());
    REQUIRE(migrated.ok());
    store_ = std::make_unique<EventStore>(*pool_);
  }

  EventStore& store() { return *store_; }
  pg::Pool& pool() { return *pool_; }

  /// Runs SQL as the test's superuser with triggers off (session_replication_role = replica):
  /// what an attacker with database access could do.
  void Tamper(const std::string& sql) {
    absl::StatusOr<pg::PooledConnection> conn = pool_->Acquire();
    REQUIRE(conn.ok());
    absl::Status status = (*conn)->ExecuteScript("SET session_replication_role = replica; " + sql +
                                                 "; RESET session_replication_role");
    INFO(status.ToString());
    REQUIRE(status.ok());
  }

  /// Runs one statement; returns its status.
  absl::Status Exec(const std::string& sql) {
    absl::StatusOr<pg::PooledConnection> conn = pool_->Acquire();
    REQUIRE(conn.ok());
    return (*conn)->ExecuteScript(sql);
  }

  int64_t Count(const std::string& sql) {
    absl::StatusOr<pg::PooledConnection> conn = pool_->Acquire();
    REQUIRE(conn.ok());
    absl::StatusOr<pg::Result> rows = (*conn)->Execute(sql);
    INFO(rows.status().ToString());
    REQUIRE(rows.ok());
    return *(*rows)[0].Get<int64_t>(0);
  }

 private:
  pg::ConnectionOptions options_;
  std::unique_ptr<pg::Pool> pool_;
  std::unique_ptr<EventStore> store_;
};

/// A valid, normalized event with a fresh id.
inline Event MakeEvent(const std::string& action = "users.user.update",
                       absl::Time event_time = absl::Now()) {
  Event event;
  event.id = ids::NewUuidV7().ToString();
  event.event_time = absl::FromUnixMicros(absl::ToUnixMicros(event_time));
  event.actor_type = kActorUser;
  event.actor_id = "u-1";
  event.action = action;
  event.resource_type = "users.User";
  event.resource_id = "r-1";
  event.service = "users";
  event.request_id = "req-1";
  event.outcome = kOutcomeSuccess;
  event.after = R"({"display_name":"Anna","n":0.1})";
  event.metadata = "{}";
  return event;
}

}  // namespace backoffice::audit::testing
