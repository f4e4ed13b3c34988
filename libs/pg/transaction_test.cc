#include "libs/pg/transaction.h"

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "libs/pg/error.h"
#include "libs/pg/pool.h"
#include "libs/pg/test_support.h"
#include "libs/pg/with_transaction.h"
#include "libs/testing/pg_server.h"

namespace backoffice::pg {
namespace {

std::unique_ptr<Pool> NewPool(int max_size = 4) {
  absl::StatusOr<testing::TestDatabase> db = testing::PgServer::Shared().CreateDatabase();
  INFO(db.status().ToString());
  REQUIRE(db.ok());
  absl::StatusOr<std::unique_ptr<Pool>> pool =
      Pool::Create(PoolOptions{.connection = db->options(), .max_size = max_size});
  INFO(pool.status().ToString());
  REQUIRE(pool.ok());
  return *std::move(pool);
}

using test::Run;

int64_t CountRows(Connection& conn) {
  return *Run(conn, "SELECT count(*) FROM t")[0].Get<int64_t>(0);
}

TEST_CASE("a committed transaction is visible to other sessions") {
  std::unique_ptr<Pool> pool = NewPool();
  PooledConnection writer = *pool->Acquire();
  PooledConnection reader = *pool->Acquire();
  Run(*writer, "CREATE TABLE t (v int)");

  absl::StatusOr<Transaction> tx = Transaction::Begin(*writer);
  REQUIRE(tx.ok());
  CHECK(writer->InTransaction());
  REQUIRE(tx->Execute("INSERT INTO t VALUES ($1)", {1}).ok());
  REQUIRE(tx->Execute("INSERT INTO t VALUES ($1)", {2}).ok());
  CHECK(CountRows(*reader) == 0);  // not yet committed
  REQUIRE(tx->Commit().ok());
  CHECK_FALSE(tx->active());
  CHECK_FALSE(writer->InTransaction());
  CHECK(CountRows(*reader) == 2);
  CHECK(tx->Commit().code() == absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("a transaction not committed is rolled back") {
  std::unique_ptr<Pool> pool = NewPool();
  PooledConnection conn = *pool->Acquire();
  Run(*conn, "CREATE TABLE t (v int)");
  {
    absl::StatusOr<Transaction> tx = Transaction::Begin(*conn);
    REQUIRE(tx.ok());
    REQUIRE(tx->Execute("INSERT INTO t VALUES (1)").ok());
  }  // destroyed without Commit
  CHECK_FALSE(conn->InTransaction());
  CHECK(CountRows(*conn) == 0);

  absl::StatusOr<Transaction> tx = Transaction::Begin(*conn);
  REQUIRE(tx.ok());
  REQUIRE(tx->Execute("INSERT INTO t VALUES (1)").ok());
  REQUIRE(tx->Rollback().ok());
  CHECK(CountRows(*conn) == 0);
}

TEST_CASE("committing after a failed statement rolls back and says so") {
  std::unique_ptr<Pool> pool = NewPool();
  PooledConnection conn = *pool->Acquire();
  Run(*conn, "CREATE TABLE t (v int PRIMARY KEY)");
  absl::StatusOr<Transaction> tx = Transaction::Begin(*conn);
  REQUIRE(tx.ok());
  REQUIRE(tx->Execute("INSERT INTO t VALUES (1)").ok());
  CHECK(tx->Execute("INSERT INTO t VALUES (1)").status().code() ==
        absl::StatusCode::kAlreadyExists);
  CHECK(SqlState(tx->Execute("SELECT 1").status()) == "25P02");  // in failed transaction
  absl::Status commit = tx->Commit();
  CHECK(commit.code() == absl::StatusCode::kAborted);
  CHECK_FALSE(conn->InTransaction());
  CHECK(CountRows(*conn) == 0);
}

TEST_CASE("Begin sets the isolation level and read-only mode") {
  std::unique_ptr<Pool> pool = NewPool();
  PooledConnection conn = *pool->Acquire();
  {
    absl::StatusOr<Transaction> tx = Transaction::Begin(*conn, IsolationLevel::kSerializable);
    REQUIRE(tx.ok());
    CHECK(*Run(*conn, "SHOW transaction_isolation")[0].Get<std::string>(0) == "serializable");
    CHECK(Transaction::Begin(*conn).status().code() == absl::StatusCode::kFailedPrecondition);
  }
  {
    absl::StatusOr<Transaction> tx = Transaction::Begin(
        *conn, {.isolation = IsolationLevel::kRepeatableRead, .read_only = true});
    REQUIRE(tx.ok());
    CHECK(*Run(*conn, "SHOW transaction_isolation")[0].Get<std::string>(0) == "repeatable read");
    CHECK(SqlState(tx->Execute("CREATE TABLE nope (v int)").status()) == "25006");
  }
  absl::StatusOr<Transaction> tx = Transaction::Begin(*conn);
  REQUIRE(tx.ok());
  CHECK(*Run(*conn, "SHOW transaction_isolation")[0].Get<std::string>(0) == "read committed");
}

TEST_CASE("WithTransaction commits, rolls back on error, and retries serialization failures") {
  std::unique_ptr<Pool> pool = NewPool();
  {
    PooledConnection conn = *pool->Acquire();
    REQUIRE(conn->ExecuteScript("CREATE TABLE counter (id int PRIMARY KEY, v int);"
                                "INSERT INTO counter VALUES (1, 0);")
                .ok());
  }
  auto value = [&pool]() {
    PooledConnection conn = *pool->Acquire();
    return *Run(*conn, "SELECT v FROM counter WHERE id = 1")[0].Get<int32_t>(0);
  };

  SECTION("commit") {
    REQUIRE(WithTransaction(*pool, [](Transaction& tx) {
              return tx.Execute("UPDATE counter SET v = v + 1 WHERE id = 1").status();
            }).ok());
    CHECK(value() == 1);
  }

  SECTION("an error from the body rolls back and is returned without retry") {
    int attempts = 0;
    absl::Status status = WithTransaction(*pool, [&attempts](Transaction& tx) {
      ++attempts;
      if (absl::Status s = tx.Execute("UPDATE counter SET v = v + 1 WHERE id = 1").status();
          !s.ok()) {
        return s;
      }
      return absl::AbortedError("application said no");
    });
    CHECK(status.code() == absl::StatusCode::kAborted);
    CHECK(status.message() == "application said no");
    CHECK(attempts == 1);
    CHECK(value() == 0);
  }

  SECTION("a serialization failure runs the body again") {
    // Attempt 1 reads under REPEATABLE READ, a concurrent session commits an update to the same
    // row, and attempt 1's own update then fails with 40001. Attempt 2 sees the new value.
    int attempts = 0;
    absl::Status status = WithTransaction(
        *pool,
        [&](Transaction& tx) -> absl::Status {
          ++attempts;
          absl::StatusOr<Result> read = tx.Execute("SELECT v FROM counter WHERE id = 1");
          if (!read.ok()) {
            return read.status();
          }
          if (attempts == 1) {
            PooledConnection other = *pool->Acquire();
            Run(*other, "UPDATE counter SET v = v + 100 WHERE id = 1");
          }
          return tx.Execute("UPDATE counter SET v = v + 1 WHERE id = 1").status();
        },
        {.transaction = {.isolation = IsolationLevel::kRepeatableRead}});
    INFO(status.ToString());
    CHECK(status.ok());
    CHECK(attempts == 2);
    CHECK(value() == 101);
  }

  SECTION("retries are bounded") {
    int attempts = 0;
    absl::Status status = WithTransaction(
        *pool,
        [&](Transaction& tx) -> absl::Status {
          ++attempts;
          if (absl::Status s = tx.Execute("SELECT v FROM counter WHERE id = 1").status(); !s.ok()) {
            return s;
          }
          PooledConnection other = *pool->Acquire();
          Run(*other, "UPDATE counter SET v = v + 100 WHERE id = 1");
          return tx.Execute("UPDATE counter SET v = v + 1 WHERE id = 1").status();
        },
        {.transaction = {.isolation = IsolationLevel::kSerializable}, .max_attempts = 3});
    CHECK(status.code() == absl::StatusCode::kAborted);
    CHECK(SqlState(status) == kSerializationFailure);
    CHECK(attempts == 3);
    CHECK(value() == 300);
  }
}

}  // namespace
}  // namespace backoffice::pg
