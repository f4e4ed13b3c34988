#include "libs/pg/pool.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/pg/error.h"
#include "libs/testing/pg_server.h"

namespace backoffice::pg {
namespace {

ConnectionOptions NewDatabase() {
  absl::StatusOr<testing::TestDatabase> db = testing::PgServer::Shared().CreateDatabase();
  INFO(db.status().ToString());
  REQUIRE(db.ok());
  return db->options();
}

std::unique_ptr<Pool> NewPool(PoolOptions options) {
  absl::StatusOr<std::unique_ptr<Pool>> pool = Pool::Create(std::move(options));
  INFO(pool.status().ToString());
  REQUIRE(pool.ok());
  return *std::move(pool);
}

PooledConnection Lease(Pool& pool) {
  absl::StatusOr<PooledConnection> conn = pool.Acquire();
  INFO(conn.status().ToString());
  REQUIRE(conn.ok());
  return *std::move(conn);
}

int64_t BackendPid(Connection& conn) {
  absl::StatusOr<Result> r = conn.Execute("SELECT pg_backend_pid()::bigint");
  REQUIRE(r.ok());
  return *(*r)[0].Get<int64_t>(0);
}

// A loopback port with nothing listening on it.
int UnusedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
  REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  close(fd);
  return ntohs(address.sin_port);
}

TEST_CASE("Create opens one connection eagerly and reuses it") {
  std::unique_ptr<Pool> pool = NewPool({.connection = NewDatabase(), .max_size = 4});
  CHECK(pool->idle() == 1);
  CHECK(pool->in_use() == 0);
  CHECK(pool->max_size() == 4);
  int64_t first_pid = 0;
  {
    PooledConnection conn = Lease(*pool);
    CHECK(pool->in_use() == 1);
    CHECK(pool->idle() == 0);
    first_pid = BackendPid(*conn);
  }
  CHECK(pool->idle() == 1);
  PooledConnection again = Lease(*pool);
  CHECK(BackendPid(*again) == first_pid);
  CHECK(pool->stats().connections_opened == 1);
}

TEST_CASE("Create with a wrong port fails at once with one clear line") {
  ConnectionOptions options = NewDatabase();
  options.port = UnusedPort();
  options.user = "someone";
  options.dbname = "x";
  absl::StatusOr<std::unique_ptr<Pool>> pool = Pool::Create({.connection = options});
  CHECK(pool.status().code() == absl::StatusCode::kUnavailable);
  CHECK(pool.status().message() ==
        absl::StrCat("cannot connect to PostgreSQL at 127.0.0.1:", options.port,
                     " database x as user someone: connection to server at \"127.0.0.1\", port ",
                     options.port, " failed: Connection refused"));

  CHECK(Pool::Create({.connection = options, .max_size = 0}).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("the pool is bounded: a third Acquire waits, times out, or gets a returned lease") {
  std::unique_ptr<Pool> pool = NewPool({.connection = NewDatabase(), .max_size = 2});
  PooledConnection first = Lease(*pool);
  std::optional<PooledConnection> second = Lease(*pool);
  CHECK(pool->in_use() == 2);

  absl::StatusOr<PooledConnection> third = pool->Acquire(absl::Milliseconds(100));
  CHECK(third.status().code() == absl::StatusCode::kDeadlineExceeded);
  CHECK(third.status().message() == "no PostgreSQL connection free within 100ms: all 2 in use");
  CHECK(pool->acquire_waits() == 1);
  CHECK(pool->stats().acquire_timeouts == 1);
  CHECK(pool->stats().connections_opened == 2);

  // A waiter gets the connection as soon as a lease is returned.
  absl::StatusOr<PooledConnection> waited = absl::UnknownError("not run");
  std::thread waiter([&] { waited = pool->Acquire(absl::Seconds(60)); });
  while (pool->acquire_waits() < 2) {  // until the waiter is blocked inside Acquire
    absl::SleepFor(absl::Milliseconds(1));
  }
  const int64_t second_pid = BackendPid(**second);
  second.reset();
  waiter.join();
  INFO(waited.status().ToString());
  REQUIRE(waited.ok());
  CHECK(BackendPid(**waited) == second_pid);
  CHECK(pool->stats().connections_opened == 2);
}

TEST_CASE("many threads share a small pool") {
  std::unique_ptr<Pool> pool = NewPool({.connection = NewDatabase(), .max_size = 3});
  {
    PooledConnection conn = Lease(*pool);
    REQUIRE(conn->ExecuteScript("CREATE TABLE hits (n int); INSERT INTO hits VALUES (0);").ok());
  }
  constexpr int kThreads = 8;
  constexpr int kPerThread = 25;
  std::atomic<int> failures = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&pool, &failures, t] {
      for (int i = 0; i < kPerThread; ++i) {
        absl::StatusOr<PooledConnection> conn = pool->Acquire(absl::Seconds(60));
        if (!conn.ok() || !(*conn)->Execute("UPDATE hits SET n = n + $1", {1}).ok() ||
            !(*conn)->Execute("SELECT $1::int + n FROM hits", {t}).ok()) {
          ++failures;
        }
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  CHECK(failures == 0);
  PoolStats stats = pool->stats();
  CHECK(stats.in_use == 0);
  CHECK(stats.idle <= 3);
  CHECK(stats.connections_opened <= 3);
  PooledConnection conn = Lease(*pool);
  CHECK(*(*conn->Execute("SELECT n FROM hits"))[0].Get<int32_t>(0) == kThreads * kPerThread);
}

TEST_CASE("a broken connection is discarded and replaced") {
  std::unique_ptr<Pool> pool = NewPool({.connection = NewDatabase(), .max_size = 2});
  PooledConnection admin = Lease(*pool);

  SECTION("broken while leased: the failed query says UNAVAILABLE, the lease is not reused") {
    int64_t victim_pid = 0;
    {
      PooledConnection victim = Lease(*pool);
      victim_pid = BackendPid(*victim);
      REQUIRE(admin->Execute("SELECT pg_terminate_backend($1::int, 5000)", {victim_pid}).ok());
      absl::StatusOr<Result> failed = victim->Execute("SELECT 1");
      CHECK(failed.status().code() == absl::StatusCode::kUnavailable);
    }
    CHECK(pool->stats().connections_discarded == 1);
    PooledConnection fresh = Lease(*pool);
    CHECK(BackendPid(*fresh) != victim_pid);
    CHECK(fresh->Execute("SELECT 1").ok());
  }

  SECTION("broken while idle: Acquire notices without handing it out") {
    int64_t victim_pid = 0;
    {
      PooledConnection victim = Lease(*pool);
      victim_pid = BackendPid(*victim);
    }
    REQUIRE(pool->idle() == 1);
    REQUIRE(admin->Execute("SELECT pg_terminate_backend($1::int, 5000)", {victim_pid}).ok());
    PooledConnection fresh = Lease(*pool);
    CHECK(BackendPid(*fresh) != victim_pid);
    CHECK(pool->stats().connections_discarded == 1);
  }

  SECTION("a lease returned inside a transaction is closed, not reused") {
    int64_t pid = 0;
    {
      PooledConnection conn = Lease(*pool);
      pid = BackendPid(*conn);
      REQUIRE(conn->Execute("BEGIN").ok());
    }
    CHECK(pool->stats().connections_discarded == 1);
    PooledConnection fresh = Lease(*pool);
    CHECK(BackendPid(*fresh) != pid);
    CHECK_FALSE(fresh->InTransaction());
  }
}

TEST_CASE("idle connections past ping_idle_after are pinged before use") {
  std::unique_ptr<Pool> pool = NewPool(
      {.connection = NewDatabase(), .max_size = 1, .ping_idle_after = absl::ZeroDuration()});
  for (int i = 0; i < 3; ++i) {
    PooledConnection conn = Lease(*pool);
    CHECK(conn->Execute("SELECT 1").ok());
  }
  CHECK(pool->stats().connections_opened == 1);
  CHECK(pool->Ping(absl::Seconds(5)).ok());
}

TEST_CASE("after the server restarts, the next query through the pool succeeds") {
  testing::PgServer& server = testing::PgServer::Shared();
  std::unique_ptr<Pool> pool = NewPool({.connection = NewDatabase(), .max_size = 3});
  {
    // Two idle connections from before the restart.
    PooledConnection a = Lease(*pool);
    PooledConnection b = Lease(*pool);
    REQUIRE(a->Execute("CREATE TABLE before_restart (v text)").ok());
    REQUIRE(b->Execute("INSERT INTO before_restart VALUES ($1)", {"kept"}).ok());
  }
  REQUIRE(pool->idle() == 2);
  CHECK(pool->Ping(absl::Seconds(5)).ok());

  REQUIRE(server.Stop().ok());
  absl::Status down = pool->Ping(absl::Seconds(5));
  CHECK(down.code() == absl::StatusCode::kUnavailable);
  REQUIRE(server.Start().ok());

  // The very first query after the restart succeeds: Acquire drops the dead sessions.
  absl::StatusOr<PooledConnection> conn = pool->Acquire();
  INFO(conn.status().ToString());
  REQUIRE(conn.ok());
  absl::StatusOr<Result> result = (*conn)->Execute("SELECT v FROM before_restart");
  INFO(result.status().ToString());
  REQUIRE(result.ok());
  CHECK(*(*result)[0].Get<std::string>(0) == "kept");
  CHECK(pool->stats().connections_discarded == 2);
  CHECK(pool->Ping(absl::Seconds(5)).ok());
}

}  // namespace
}  // namespace backoffice::pg
