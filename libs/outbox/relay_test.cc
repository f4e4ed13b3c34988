// The relay against a real PostgreSQL (an outbox table in schema `users`, exactly the README's
// shape) and the real audit_service binary: the audit service down while 1,000 events are
// produced, a relay process SIGKILLed mid-work, repeated deliveries, refused events, LISTEN
// wake-ups, two relays sharing the work, pruning and lag metrics.
#include "libs/outbox/relay.h"

#include <arpa/inet.h>
#include <grpcpp/create_channel.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/jwt/jwk.h"
#include "libs/metrics/metrics.h"
#include "libs/outbox/audit_sink.h"
#include "libs/outbox/outbox.h"
#include "libs/outbox/test_migrations.h"
#include "libs/pg/migrate.h"
#include "libs/pg/with_transaction.h"
#include "libs/testing/eventually.h"
#include "libs/testing/pg_server.h"
#include "tests/support/child_process.h"

namespace backoffice::outbox {
namespace {

constexpr char kSchema[] = "users";
constexpr char kKeyId[] = "users-relay-test";

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return absl::StrCat(dir != nullptr ? dir : "/tmp", "/", name, "-", getpid(), "-",
                      absl::ToUnixNanos(absl::Now()));
}

std::string WriteFile(const std::string& name, const std::string& content) {
  std::string path = TempPath(name);
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
  socklen_t size = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  close(fd);
  return ntohs(address.sin_port);
}

// The limit only bounds a hang (a relay's backoff can take a while on a loaded machine).
template <typename F>
bool Eventually(F done, absl::Duration limit = absl::Seconds(60)) {
  return testing::Eventually(done, limit);
}

// A fresh database with the outbox in schema `users`, the audit binary (restartable on a fixed
// port) trusting this fixture's service key, and a pool on the outbox.
class RelayFixture {
 public:
  RelayFixture() {
    absl::StatusOr<testing::TestDatabase> db = testing::PgServer::Shared().CreateDatabase();
    REQUIRE(db.ok());
    db_ = *db;
    pg::ConnectionOptions options = db_.options();
    options.search_path = kSchema;
    absl::StatusOr<std::unique_ptr<pg::Pool>> pool =
        pg::Pool::Create({.connection = options, .max_size = 4});
    REQUIRE(pool.ok());
    pool_ = *std::move(pool);
    REQUIRE(pg::Migrate(*pool_, kSchema, testdata::kMigrations).ok());

    absl::StatusOr<jwt::PrivateKey> key = jwt::PrivateKey::Generate(jwt::Algorithm::kEdDsa, kKeyId);
    REQUIRE(key.ok());
    key_pem_ = *key->ToPem();
    std::vector<jwt::PublicKey> published;
    published.push_back(*key->GetPublicKey());
    jwks_file_ = WriteFile("services.jwks", *jwt::WriteJwks(published));
    tokens_ = std::make_unique<auth::ServiceTokenSource>(
        *std::move(key), auth::ServiceTokenOptions{.service = kSchema});
    port_ = FreePort();
    address_ = absl::StrCat("127.0.0.1:", port_);
    // Reconnect quickly once the audit service is back (gRPC's default backoff grows to 120 s).
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 500);
    channel_ = grpc::CreateCustomChannel(address_, grpc::InsecureChannelCredentials(), args);
    sink_ = MakeAuditSink(channel_, *tokens_, kSchema);
  }

  ~RelayFixture() {
    // Closing the client side first lets the server drain at once.
    sink_.reset();
    channel_.reset();
    StopAudit();
  }

  void StartAudit() {
    absl::StatusOr<tests::ChildProcess> child = tests::ChildProcess::Start(
        "services/audit/audit_service",
        {absl::StrCat("--db_host=", db_.host), absl::StrCat("--db_port=", db_.port),
         absl::StrCat("--db_name=", db_.name), absl::StrCat("--db_user=", db_.user),
         absl::StrCat("--grpc_port=", port_), "--admin_port=0",
         absl::StrCat("--service_jwks_file=", jwks_file_), "--allow_ephemeral_checkpoint_key",
         "--users_address=127.0.0.1:1", "--roles_address=127.0.0.1:1"},
        TempPath("audit.log"));
    REQUIRE(child.ok());
    audit_.emplace(*std::move(child));
    bool started = Eventually([&] {
      REQUIRE_FALSE(audit_->WaitForExit(absl::ZeroDuration()).has_value());
      return audit_->Output().find("\"msg\":\"service started\"") != std::string::npos;
    });
    INFO(audit_->Output());
    REQUIRE(started);
  }

  void StopAudit() {
    if (!audit_.has_value()) return;
    audit_->Signal(SIGTERM);
    audit_->WaitForExit(absl::Seconds(20));
    audit_.reset();
  }

  // `count` outbox events, `per_transaction` per transaction; returns their ids.
  std::vector<std::string> Produce(int count, int per_transaction = 100,
                                   const std::string& event_type = "user.updated") {
    std::vector<std::string> ids;
    for (int done = 0; done < count;) {
      int n = std::min(per_transaction, count - done);
      absl::Status status = pg::WithTransaction(*pool_, [&](pg::Transaction& tx) -> absl::Status {
        for (int i = 0; i < n; ++i) {
          ids::Uuid id = ids::NewUuidV7();
          if (absl::Status s =
                  AppendToOutbox(tx, {.id = id,
                                      .aggregate_type = "user",
                                      .aggregate_id = absl::StrCat("u-", done + i),
                                      .event_type = event_type,
                                      .actor_type = kActorUser,
                                      .actor_id = "admin",
                                      .request_id = "req",
                                      .trace_id = "",
                                      .before = R"({"n": 1})",
                                      .after = absl::StrCat(R"({"n": )", done + i, "}"),
                                      .occurred_at = absl::Now()});
              !s.ok()) {
            return s;
          }
          ids.push_back(id.ToString());
        }
        return absl::OkStatus();
      });
      REQUIRE(status.ok());
      done += n;
    }
    return ids;
  }

  int64_t Count(const std::string& sql) {
    absl::StatusOr<pg::PooledConnection> conn = pool_->Acquire();
    REQUIRE(conn.ok());
    absl::StatusOr<pg::Result> rows = (*conn)->Execute(sql);
    INFO(rows.status().ToString());
    REQUIRE(rows.ok());
    return *(*rows)[0].Get<int64_t>(0);
  }

  int64_t Pending() { return Count("SELECT count(*) FROM outbox WHERE delivered_at IS NULL"); }
  int64_t InAudit() { return Count("SELECT count(*) FROM audit.events"); }

  // Every outbox id appears in the audit log exactly once, and nothing else does.
  void CheckExactlyOnce(int64_t expected) {
    CHECK(Count("SELECT count(*) FROM outbox") == expected);
    CHECK(InAudit() == expected);
    CHECK(Count("SELECT count(DISTINCT e.id) FROM audit.events e JOIN outbox o ON o.id = e.id") ==
          expected);
    CHECK(Count("SELECT count(*) FROM audit.events e WHERE e.service <> 'users' OR e.action <> "
                "'users.user.updated'") == 0);
    CHECK(Count("SELECT max(sequence) FROM audit.events") == expected);  // no gaps, no extras
  }

  RelayOptions FastOptions() {
    return {.schema = kSchema,
            .batch_size = 100,
            .poll_interval = absl::Milliseconds(200),
            .initial_backoff = absl::Milliseconds(20),
            .max_backoff = absl::Milliseconds(300)};
  }

  pg::Pool& pool() { return *pool_; }
  EventSink& sink() { return *sink_; }
  const testing::TestDatabase& db() const { return db_; }
  const std::string& address() const { return address_; }
  const std::string& key_pem() const { return key_pem_; }

 private:
  testing::TestDatabase db_;
  std::unique_ptr<pg::Pool> pool_;
  std::string key_pem_;
  std::string jwks_file_;
  std::unique_ptr<auth::ServiceTokenSource> tokens_;
  int port_ = 0;
  std::string address_;
  std::shared_ptr<grpc::Channel> channel_;
  EventSinkPtr sink_;
  std::optional<tests::ChildProcess> audit_;
};

TEST_CASE("1,000 events made while the audit service is down arrive exactly once") {
  RelayFixture f;
  f.StartAudit();
  metrics::Registry registry;
  RelayOptions options = f.FastOptions();
  options.registry = &registry;
  Relay relay(f.pool(), f.sink(), options);
  relay.Start();
  f.Produce(10);
  REQUIRE(Eventually([&] { return f.Pending() == 0; }));

  f.StopAudit();
  f.Produce(1000);
  // The relay tries, fails and backs off while the audit service is away.
  REQUIRE(Eventually([&] { return relay.failures() >= 2; }));
  CHECK(f.Pending() == 1000);
  CHECK(f.Count("SELECT count(*) FROM outbox WHERE delivery_attempts > 0 AND "
                "last_delivery_error IS NOT NULL") > 0);

  f.StartAudit();
  REQUIRE(Eventually([&] { return f.Pending() == 0; }));
  relay.Stop();
  f.CheckExactlyOnce(1010);
  absl::StatusOr<Relay::Lag> lag = relay.RefreshLag();
  REQUIRE(lag.ok());
  CHECK(lag->pending == 0);
  std::string exposition = registry.Render();
  CHECK_THAT(exposition, Catch::Contains("outbox_pending_events{schema=\"users\"} 0"));
  CHECK_THAT(exposition, Catch::Contains("outbox_delivered_events_total{schema=\"users\"} 1010"));
  CHECK_THAT(exposition, Catch::Contains("outbox_delivery_failures_total{schema=\"users\"}"));
}

TEST_CASE("a relay process killed mid-work loses nothing; the next one absorbs repeats") {
  RelayFixture f;
  f.StartAudit();
  f.Produce(3000, 500);
  std::string key_file = WriteFile("service.pem", f.key_pem());
  absl::StatusOr<tests::ChildProcess> relay_process = tests::ChildProcess::Start(
      "libs/outbox/relay_for_tests",
      {absl::StrCat("--db_host=", f.db().host), absl::StrCat("--db_port=", f.db().port),
       absl::StrCat("--db_name=", f.db().name), absl::StrCat("--db_user=", f.db().user),
       absl::StrCat("--audit_address=", f.address()), absl::StrCat("--service_key_file=", key_file),
       absl::StrCat("--service_key_id=", kKeyId), "--batch_size=50"},
      TempPath("relay.log"));
  REQUIRE(relay_process.ok());
  REQUIRE(Eventually([&] { return f.InAudit() > 0; }));
  relay_process->Signal(SIGKILL);
  REQUIRE(relay_process->WaitForExit(absl::Seconds(10)).has_value());
  int64_t delivered_before = 3000 - f.Pending();
  INFO("delivered by the killed relay: " << delivered_before << ", in audit: " << f.InAudit());
  CHECK(f.InAudit() >= delivered_before);  // acknowledged before marked, never the reverse

  Relay relay(f.pool(), f.sink(), f.FastOptions());
  while (true) {
    absl::StatusOr<int> claimed = relay.DeliverBatch();
    REQUIRE(claimed.ok());
    if (*claimed == 0) break;
  }
  f.CheckExactlyOnce(3000);
}

TEST_CASE("a delivery whose acknowledgement was lost is absorbed as a duplicate") {
  RelayFixture f;
  f.StartAudit();
  f.Produce(20);
  // A relay sent the batch, the audit service stored it, and the relay died before marking it:
  // the rows are still pending.
  std::vector<OutboxRow> rows;
  {
    absl::StatusOr<pg::PooledConnection> conn = f.pool().Acquire();
    REQUIRE(conn.ok());
    absl::StatusOr<pg::Result> result = (*conn)->Execute(
        "SELECT position, id::text AS id, aggregate_type, aggregate_id, event_type, actor_type, "
        "actor_id, request_id, trace_id, before::text AS before, after::text AS after, "
        "metadata::text AS metadata, occurred_at FROM outbox ORDER BY position");
    REQUIRE(result.ok());
    for (const pg::Row& row : *result) {
      OutboxRow r;
      r.position = *row.Get<int64_t>("position");
      r.id = *row.Get<std::string>("id");
      r.aggregate_type = *row.Get<std::string>("aggregate_type");
      r.aggregate_id = *row.Get<std::string>("aggregate_id");
      r.event_type = *row.Get<std::string>("event_type");
      r.actor_type = *row.Get<std::string>("actor_type");
      r.actor_id = *row.Get<std::string>("actor_id");
      r.request_id = *row.Get<std::string>("request_id");
      r.trace_id = *row.Get<std::string>("trace_id");
      r.before = *row.Get<std::optional<std::string>>("before");
      r.after = *row.Get<std::optional<std::string>>("after");
      r.metadata = *row.Get<std::string>("metadata");
      r.occurred_at = *row.Get<absl::Time>("occurred_at");
      rows.push_back(r);
    }
  }
  absl::StatusOr<std::vector<DeliveryResult>> first = f.sink().Deliver(rows);
  REQUIRE(first.ok());
  CHECK(f.InAudit() == 20);
  CHECK(f.Pending() == 20);

  Relay relay(f.pool(), f.sink(), f.FastOptions());
  absl::StatusOr<int> claimed = relay.DeliverBatch();
  REQUIRE(claimed.ok());
  CHECK(*claimed == 20);
  CHECK(f.Pending() == 0);
  CHECK(f.Count("SELECT count(*) FROM outbox WHERE last_delivery_error IS NOT NULL") == 0);
  f.CheckExactlyOnce(20);
}

TEST_CASE("an event the audit service refuses is parked; the others are delivered") {
  RelayFixture f;
  f.StartAudit();
  f.Produce(3);
  f.Produce(1, 1, "User Updated!");  // becomes action "users.User Updated!": invalid
  f.Produce(3);
  metrics::Registry registry;
  RelayOptions options = f.FastOptions();
  options.registry = &registry;
  Relay relay(f.pool(), f.sink(), options);
  absl::StatusOr<int> claimed = relay.DeliverBatch();
  REQUIRE(claimed.ok());
  CHECK(*claimed == 7);
  CHECK(f.InAudit() == 6);
  CHECK(f.Pending() == 1);
  CHECK(f.Count("SELECT count(*) FROM outbox WHERE next_attempt_at = 'infinity' AND "
                "last_delivery_error LIKE 'events[0].action:%'") == 1);
  absl::StatusOr<int> again = relay.DeliverBatch();
  REQUIRE(again.ok());
  CHECK(*again == 0);  // parked: not claimed again
  CHECK_THAT(registry.Render(),
             Catch::Contains("outbox_rejected_events_total{schema=\"users\"} 1"));
}

TEST_CASE("a notification wakes the relay long before its poll") {
  RelayFixture f;
  f.StartAudit();
  RelayOptions options = f.FastOptions();
  options.poll_interval = absl::Hours(1);
  Relay relay(f.pool(), f.sink(), options);
  relay.Start();
  absl::SleepFor(absl::Milliseconds(300));  // let it go idle (listening) first
  f.Produce(1);
  // Only the NOTIFY can deliver this within the bound: the next poll is an hour away.
  CHECK(Eventually([&] { return f.Pending() == 0; }, absl::Seconds(30)));
  relay.Stop();
}

TEST_CASE("two relays share the work and deliver every event once") {
  RelayFixture f;
  f.StartAudit();
  f.Produce(1000, 250);
  RelayOptions options = f.FastOptions();
  options.batch_size = 20;
  Relay a(f.pool(), f.sink(), options);
  Relay b(f.pool(), f.sink(), options);
  a.Start();
  b.Start();
  REQUIRE(Eventually([&] { return f.Pending() == 0; }));
  a.Stop();
  b.Stop();
  f.CheckExactlyOnce(1000);
}

TEST_CASE("delivered events are pruned after the retention") {
  RelayFixture f;
  f.StartAudit();
  f.Produce(5);
  Relay relay(f.pool(), f.sink(), f.FastOptions());
  REQUIRE(relay.DeliverBatch().ok());
  f.Produce(2);  // pending: never pruned
  absl::StatusOr<pg::PooledConnection> conn = f.pool().Acquire();
  REQUIRE(conn.ok());
  REQUIRE((*conn)
              ->ExecuteScript("UPDATE outbox SET delivered_at = now() - interval '8 days' "
                              "WHERE position IN (SELECT position FROM outbox "
                              "WHERE delivered_at IS NOT NULL ORDER BY position LIMIT 3)")
              .ok());
  absl::StatusOr<int64_t> pruned = relay.Prune(absl::Now());
  REQUIRE(pruned.ok());
  CHECK(*pruned == 3);
  CHECK(f.Count("SELECT count(*) FROM outbox") == 4);
  CHECK(f.Pending() == 2);
}

}  // namespace
}  // namespace backoffice::outbox
