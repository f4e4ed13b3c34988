#include "libs/outbox/outbox.h"

#include <postgresql/libpq-fe.h>
#include <sys/select.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/outbox/test_migrations.h"
#include "libs/pg/error.h"
#include "libs/pg/migrate.h"
#include "libs/pg/pool.h"
#include "libs/pg/transaction.h"
#include "libs/testing/pg_server.h"

namespace backoffice::outbox {
namespace {

constexpr char kSchema[] = "svc";

struct Fixture {
  Fixture() {
    absl::StatusOr<testing::TestDatabase> db = testing::PgServer::Shared().CreateDatabase();
    REQUIRE(db.ok());
    options = db->options();
    options.search_path = kSchema;
    absl::StatusOr<std::unique_ptr<pg::Pool>> created =
        pg::Pool::Create({.connection = options, .max_size = 2});
    REQUIRE(created.ok());
    pool = *std::move(created);
    absl::Status migrated = pg::Migrate(*pool, kSchema, testdata::kMigrations);
    INFO(migrated.ToString());
    REQUIRE(migrated.ok());
  }

  int64_t Count() {
    absl::StatusOr<pg::PooledConnection> conn = pool->Acquire();
    REQUIRE(conn.ok());
    absl::StatusOr<pg::Result> rows = (*conn)->Execute("SELECT count(*) FROM outbox");
    REQUIRE(rows.ok());
    return *(*rows)[0].Get<int64_t>(0);
  }

  pg::ConnectionOptions options;
  std::unique_ptr<pg::Pool> pool;
};

OutboxEvent SampleEvent() {
  return OutboxEvent{
      .id = ids::NewUuidV7(),
      .aggregate_type = "user",
      .aggregate_id = "0190b5f2-7c1e-7d3a-9f00-0123456789ab",
      .event_type = "user.updated",
      .actor_type = kActorUser,
      .actor_id = "0190b5f2-0000-7000-8000-000000000001",
      .request_id = "req-1",
      .trace_id = "4bf92f3577b34da6a3ce929d0e0e4736",
      .before = R"({"display_name": "Ann"})",
      .after = R"({"display_name": "Anna"})",
      .metadata = R"({"changed": ["display_name"]})",
      .occurred_at = absl::FromUnixMicros(1'700'000'000'123'456),
  };
}

// A separate session that LISTENs on the outbox channel.
class Listener {
 public:
  explicit Listener(const pg::ConnectionOptions& options) {
    absl::StatusOr<pg::Connection> conn = pg::Connection::Open(options);
    REQUIRE(conn.ok());
    conn_ = std::make_unique<pg::Connection>(*std::move(conn));
    REQUIRE(conn_->ExecuteScript(absl::StrCat("LISTEN ", OutboxChannel(kSchema))).ok());
  }

  // Notifications received so far, waiting up to `wait_seconds` for the first one if none is
  // queued yet. The wait only bounds a hang; no assertion depends on how long anything takes.
  std::vector<std::string> Drain(int wait_seconds) {
    PGconn* conn = conn_->native();
    std::vector<std::string> channels;
    for (int waited = 0;; ++waited) {
      REQUIRE(PQconsumeInput(conn) == 1);
      while (PGnotify* notify = PQnotifies(conn)) {
        channels.push_back(notify->relname);
        REQUIRE(std::string(notify->extra).empty());
        PQfreemem(notify);
      }
      if (!channels.empty() || waited >= wait_seconds) return channels;
      fd_set read_set;
      FD_ZERO(&read_set);
      FD_SET(PQsocket(conn), &read_set);
      timeval timeout{.tv_sec = 1, .tv_usec = 0};
      select(PQsocket(conn) + 1, &read_set, nullptr, nullptr, &timeout);
    }
  }

  // A round trip: the server sends notifications queued for this session before the reply.
  void Sync() { REQUIRE(conn_->Execute("SELECT 1").ok()); }

 private:
  std::unique_ptr<pg::Connection> conn_;
};

TEST_CASE("an appended event is stored with every field once the transaction commits") {
  Fixture f;
  OutboxEvent event = SampleEvent();
  {
    absl::StatusOr<pg::PooledConnection> conn = f.pool->Acquire();
    REQUIRE(conn.ok());
    absl::StatusOr<pg::Transaction> tx = pg::Transaction::Begin(**conn);
    REQUIRE(tx.ok());
    absl::Status appended = AppendToOutbox(*tx, event);
    INFO(appended.ToString());
    REQUIRE(appended.ok());
    REQUIRE(tx->Commit().ok());
  }
  absl::StatusOr<pg::PooledConnection> conn = f.pool->Acquire();
  REQUIRE(conn.ok());
  absl::StatusOr<pg::Result> rows = (*conn)->Execute(
      "SELECT id::text, aggregate_type, aggregate_id, event_type, actor_type, actor_id, "
      "request_id, trace_id, before->>'display_name', after->>'display_name', "
      "metadata->'changed'->>0, occurred_at, delivered_at IS NULL, position "
      "FROM outbox");
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 1);
  pg::Row row = (*rows)[0];
  CHECK(*row.Get<std::string>(0) == event.id.ToString());
  CHECK(*row.Get<std::string>(1) == "user");
  CHECK(*row.Get<std::string>(2) == event.aggregate_id);
  CHECK(*row.Get<std::string>(3) == "user.updated");
  CHECK(*row.Get<std::string>(4) == "user");
  CHECK(*row.Get<std::string>(5) == event.actor_id);
  CHECK(*row.Get<std::string>(6) == "req-1");
  CHECK(*row.Get<std::string>(7) == event.trace_id);
  CHECK(*row.Get<std::string>(8) == "Ann");
  CHECK(*row.Get<std::string>(9) == "Anna");
  CHECK(*row.Get<std::string>(10) == "display_name");
  CHECK(*row.Get<absl::Time>(11) == event.occurred_at);
  CHECK(*row.Get<bool>(12));
  CHECK(*row.Get<int64_t>(13) >= 1);
}

TEST_CASE("empty before/after are NULL and empty metadata is an empty object") {
  Fixture f;
  OutboxEvent event = SampleEvent();
  event.before.clear();
  event.metadata.clear();
  event.actor_type = kActorSystem;
  event.actor_id.clear();
  absl::StatusOr<pg::PooledConnection> conn = f.pool->Acquire();
  REQUIRE(conn.ok());
  {
    absl::StatusOr<pg::Transaction> tx = pg::Transaction::Begin(**conn);
    REQUIRE(tx.ok());
    REQUIRE(AppendToOutbox(*tx, event).ok());
    REQUIRE(tx->Commit().ok());
  }
  absl::StatusOr<pg::Result> rows =
      (*conn)->Execute("SELECT before IS NULL, after IS NULL, metadata::text FROM outbox");
  REQUIRE(rows.ok());
  CHECK(*(*rows)[0].Get<bool>(0));
  CHECK_FALSE(*(*rows)[0].Get<bool>(1));
  CHECK(*(*rows)[0].Get<std::string>(2) == "{}");
}

TEST_CASE("positions increase in append order") {
  Fixture f;
  absl::StatusOr<pg::PooledConnection> conn = f.pool->Acquire();
  REQUIRE(conn.ok());
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<pg::Transaction> tx = pg::Transaction::Begin(**conn);
    REQUIRE(tx.ok());
    OutboxEvent event = SampleEvent();
    ids.push_back(event.id.ToString());
    REQUIRE(AppendToOutbox(*tx, event).ok());
    REQUIRE(tx->Commit().ok());
  }
  absl::StatusOr<pg::Result> rows =
      (*conn)->Execute("SELECT id::text FROM outbox WHERE delivered_at IS NULL ORDER BY position");
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 3);
  for (int i = 0; i < 3; ++i) CHECK(*(*rows)[i].Get<std::string>(0) == ids[i]);
}

TEST_CASE("a rolled-back transaction leaves no event and wakes no relay") {
  Fixture f;
  Listener listener(f.options);
  absl::StatusOr<pg::PooledConnection> conn = f.pool->Acquire();
  REQUIRE(conn.ok());
  {
    absl::StatusOr<pg::Transaction> tx = pg::Transaction::Begin(**conn);
    REQUIRE(tx.ok());
    REQUIRE(AppendToOutbox(*tx, SampleEvent()).ok());
    REQUIRE(tx->Rollback().ok());
  }
  CHECK(f.Count() == 0);
  // A committed event afterwards: the listener hears exactly that one, so the rolled-back one
  // (which would have been queued earlier) was never sent.
  {
    absl::StatusOr<pg::Transaction> tx = pg::Transaction::Begin(**conn);
    REQUIRE(tx.ok());
    REQUIRE(AppendToOutbox(*tx, SampleEvent()).ok());
    REQUIRE(tx->Commit().ok());
  }
  std::vector<std::string> heard = listener.Drain(30);
  listener.Sync();
  std::vector<std::string> more = listener.Drain(0);
  heard.insert(heard.end(), more.begin(), more.end());
  CHECK(heard == std::vector<std::string>{"svc_outbox"});
  CHECK(f.Count() == 1);
}

TEST_CASE("listeners are woken once per committed transaction, not before commit") {
  Fixture f;
  Listener listener(f.options);
  absl::StatusOr<pg::PooledConnection> conn = f.pool->Acquire();
  REQUIRE(conn.ok());
  absl::StatusOr<pg::Transaction> tx = pg::Transaction::Begin(**conn);
  REQUIRE(tx.ok());
  REQUIRE(AppendToOutbox(*tx, SampleEvent()).ok());
  REQUIRE(AppendToOutbox(*tx, SampleEvent()).ok());
  listener.Sync();
  CHECK(listener.Drain(0).empty());
  REQUIRE(tx->Commit().ok());
  std::vector<std::string> heard = listener.Drain(30);
  listener.Sync();
  std::vector<std::string> more = listener.Drain(0);
  heard.insert(heard.end(), more.begin(), more.end());
  CHECK(heard == std::vector<std::string>{"svc_outbox"});
  CHECK(f.Count() == 2);
}

TEST_CASE("invalid events are refused before anything is written") {
  Fixture f;
  absl::StatusOr<pg::PooledConnection> conn = f.pool->Acquire();
  REQUIRE(conn.ok());
  absl::StatusOr<pg::Transaction> tx = pg::Transaction::Begin(**conn);
  REQUIRE(tx.ok());

  OutboxEvent nil_id = SampleEvent();
  nil_id.id = ids::Uuid();
  OutboxEvent v4_id = SampleEvent();
  v4_id.id = *ids::ParseUuid("f47ac10b-58cc-4372-a567-0e02b2c3d479");
  OutboxEvent no_type = SampleEvent();
  no_type.event_type.clear();
  OutboxEvent no_aggregate = SampleEvent();
  no_aggregate.aggregate_id.clear();
  OutboxEvent bad_actor = SampleEvent();
  bad_actor.actor_type = "robot";
  for (const auto& [event, field] :
       std::vector<std::pair<OutboxEvent, std::string>>{{nil_id, "id"},
                                                        {v4_id, "id"},
                                                        {no_type, "event_type"},
                                                        {no_aggregate, "aggregate_id"},
                                                        {bad_actor, "actor_type"}}) {
    absl::Status status = AppendToOutbox(*tx, event);
    INFO(status.ToString());
    CHECK(status.code() == absl::StatusCode::kInvalidArgument);
    CHECK(std::string(status.message()).find(field) != std::string::npos);
  }
  // The transaction is still usable: validation never reached the server.
  REQUIRE(AppendToOutbox(*tx, SampleEvent()).ok());
  REQUIRE(tx->Commit().ok());
  CHECK(f.Count() == 1);
}

TEST_CASE("JSON that does not parse fails in the database as INVALID_ARGUMENT") {
  Fixture f;
  absl::StatusOr<pg::PooledConnection> conn = f.pool->Acquire();
  REQUIRE(conn.ok());
  absl::StatusOr<pg::Transaction> tx = pg::Transaction::Begin(**conn);
  REQUIRE(tx.ok());
  OutboxEvent event = SampleEvent();
  event.after = "{not json";
  absl::Status status = AppendToOutbox(*tx, event);
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  REQUIRE_FALSE(tx->Commit().ok());
  CHECK(f.Count() == 0);
}

TEST_CASE("the channel is named after the schema") {
  CHECK(OutboxChannel("users") == "users_outbox");
}

}  // namespace
}  // namespace backoffice::outbox
