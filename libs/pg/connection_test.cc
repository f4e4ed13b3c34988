#include "libs/pg/connection.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "libs/pg/error.h"
#include "libs/pg/test_support.h"
#include "libs/testing/pg_server.h"

namespace backoffice::pg {
namespace {

Connection Connect(ConnectionOptions options = {}) {
  if (options.dbname.empty()) {
    absl::StatusOr<testing::TestDatabase> db = testing::PgServer::Shared().CreateDatabase();
    INFO(db.status().ToString());
    REQUIRE(db.ok());
    const std::string search_path = options.search_path;
    options = db->options();
    options.search_path = search_path;
  }
  absl::StatusOr<Connection> conn = Connection::Open(options);
  INFO(conn.status().ToString());
  REQUIRE(conn.ok());
  return *std::move(conn);
}

using test::Run;

TEST_CASE("parameters of every type round-trip, NULLs included") {
  Connection conn = Connect();
  Run(conn,
      "CREATE TABLE t (s text, i4 integer, i8 bigint, f float8, b boolean, ts timestamptz, "
      "raw bytea, maybe_s text, maybe_i integer, maybe_ts timestamptz)");
  const absl::Time when = absl::FromUnixMicros(1714564800123456);  // 2024-05-01 12:00:00.123456Z
  const std::string injection = "x'); DROP TABLE t; --";
  const std::string binary("\x00\x01\xff'\\\"", 6);
  Result inserted =
      Run(conn, "INSERT INTO t VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
          {injection, int32_t{-42}, int64_t{9007199254740993}, 0.1, true, when, Bytea{binary},
           std::optional<std::string>(), std::nullopt, std::optional<absl::Time>()});
  CHECK(inserted.affected_rows() == 1);

  Result rows = Run(conn, "SELECT * FROM t");
  REQUIRE(rows.size() == 1);
  const Row row = rows[0];
  CHECK(*row.Get<std::string>("s") == injection);
  CHECK(*row.Get<int32_t>("i4") == -42);
  CHECK(*row.Get<int64_t>("i8") == 9007199254740993);
  CHECK(*row.Get<double>("f") == 0.1);
  CHECK(*row.Get<bool>("b") == true);
  CHECK(*row.Get<absl::Time>("ts") == when);
  CHECK(row.Get<Bytea>("raw")->data == binary);
  CHECK(row.Get<std::optional<std::string>>("maybe_s")->has_value() == false);
  CHECK(row.Get<std::optional<int32_t>>("maybe_i")->has_value() == false);
  CHECK(row.Get<std::optional<absl::Time>>("maybe_ts")->has_value() == false);
  CHECK(row.Get<std::optional<int64_t>>("i8")->value() == 9007199254740993);
  CHECK(row.IsNull(7));
  CHECK_FALSE(row.IsNull(0));
  // The table is still there: the string was data, not SQL.
  CHECK(Run(conn, "SELECT count(*) FROM t")[0].Get<int64_t>(0).value() == 1);
}

TEST_CASE("typed parameters drive server-side types and comparisons") {
  Connection conn = Connect();
  Result r = Run(conn,
                 "SELECT pg_typeof($1)::text, pg_typeof($2)::text, pg_typeof($3)::text, "
                 "pg_typeof($4)::text, pg_typeof($5)::text, pg_typeof($6)::text, $7::uuid::text",
                 {int32_t{1}, int64_t{1}, 1.5, false, absl::UnixEpoch(), Bytea{"x"},
                  "0190a5e4-8f3c-7cc2-9f6e-1b2c3d4e5f60"});
  CHECK(*r[0].Get<std::string>(0) == "integer");
  CHECK(*r[0].Get<std::string>(1) == "bigint");
  CHECK(*r[0].Get<std::string>(2) == "double precision");
  CHECK(*r[0].Get<std::string>(3) == "boolean");
  CHECK(*r[0].Get<std::string>(4) == "timestamp with time zone");
  CHECK(*r[0].Get<std::string>(5) == "bytea");
  CHECK(*r[0].Get<std::string>(6) == "0190a5e4-8f3c-7cc2-9f6e-1b2c3d4e5f60");

  // A typed NULL still resolves `$1 IS NULL`.
  Result nulls = Run(conn, "SELECT $1 IS NULL, $2 IS NULL",
                     {std::optional<int64_t>(), std::optional<absl::Time>(absl::UnixEpoch())});
  CHECK(*nulls[0].Get<bool>(0) == true);
  CHECK(*nulls[0].Get<bool>(1) == false);
}

TEST_CASE("doubles, times and text survive edge values") {
  Connection conn = Connect();
  const double third = 1.0 / 3.0;
  Result r =
      Run(conn, "SELECT $1::float8, $2::float8, $3::float8, $4::timestamptz, $5::timestamptz",
          {third, std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN(),
           absl::InfiniteFuture(), absl::FromUnixSeconds(-86400 * 365)});
  CHECK(*r[0].Get<double>(0) == third);
  CHECK(std::isinf(*r[0].Get<double>(1)));
  CHECK(std::isnan(*r[0].Get<double>(2)));
  CHECK(*r[0].Get<absl::Time>(3) == absl::InfiniteFuture());
  CHECK(*r[0].Get<absl::Time>(4) == absl::FromUnixSeconds(-86400 * 365));

  // A session in another time zone still reads instants correctly.
  Run(conn, "SET TIME ZONE 'Asia/Kolkata'");
  Result shifted = Run(conn, "SELECT $1::timestamptz, ($1::timestamptz)::text",
                       {absl::FromUnixSeconds(1700000000)});
  CHECK(*shifted[0].Get<std::string>(1) == "2023-11-15 03:43:20+05:30");
  CHECK(*shifted[0].Get<absl::Time>(0) == absl::FromUnixSeconds(1700000000));

  const std::string unicode = "Grüße, 世界 \t\n";
  CHECK(*Run(conn, "SELECT $1::text", {unicode})[0].Get<std::string>(0) == unicode);
}

TEST_CASE("reading a column reports NULLs, unknown names and bad text clearly") {
  Connection conn = Connect();
  Result r =
      Run(conn, "SELECT NULL::int AS missing, 'abc'::text AS word, 3000000000::bigint AS big");
  const Row row = r[0];

  absl::StatusOr<int32_t> null_value = row.Get<int32_t>("missing");
  CHECK(null_value.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(null_value.status().message() ==
        "column 0 (\"missing\") is NULL; read it as std::optional<T>");

  absl::StatusOr<std::string> unknown = row.Get<std::string>("nope");
  CHECK(unknown.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(unknown.status().message() ==
        "no column named \"nope\" in the result (columns: missing, word, big)");

  absl::StatusOr<int64_t> not_a_number = row.Get<int64_t>("word");
  CHECK(not_a_number.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(not_a_number.status().message().find("abc") == absl::string_view::npos);
  CHECK(row.Get<int32_t>("big").status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(*row.Get<int64_t>("big") == 3000000000);
  CHECK(row.Get<std::string>(7).status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(row.Get<bool>("word").status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(row.Get<absl::Time>("word").status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(row.Get<Bytea>("word").status().code() == absl::StatusCode::kInvalidArgument);

  Result empty = Run(conn, "SELECT 1 WHERE false");
  CHECK(empty.empty());
  CHECK(empty.First().status().code() == absl::StatusCode::kNotFound);
}

TEST_CASE("iteration visits every row in order") {
  Connection conn = Connect();
  Result r = Run(conn, "SELECT g, g * 2 AS twice FROM generate_series(1, 5) g");
  CHECK(r.size() == 5);
  CHECK(r.columns() == 2);
  CHECK(r.column_name(1) == "twice");
  int64_t expected = 1;
  for (const Row& row : r) {
    CHECK(*row.Get<int64_t>(0) == expected);
    CHECK(*row.Get<int64_t>("twice") == expected * 2);
    ++expected;
  }
  CHECK(expected == 6);
}

TEST_CASE("a statement is prepared once per connection and then reused") {
  Connection conn = Connect();
  Run(conn, "CREATE TABLE n (v int)");
  const int before = conn.prepared_statements();
  for (int i = 0; i < 5; ++i) {
    Run(conn, "INSERT INTO n VALUES ($1)", {i});
  }
  CHECK(conn.prepared_statements() == before + 1);

  // The server sees one named statement for that SQL text, executed through the cache.
  Result prepared = Run(conn,
                        "SELECT count(*) FROM pg_prepared_statements "
                        "WHERE statement = 'INSERT INTO n VALUES ($1)'");
  CHECK(*prepared[0].Get<int64_t>(0) == 1);
  CHECK(*Run(conn, "SELECT sum(v) FROM n")[0].Get<int64_t>(0) == 0 + 1 + 2 + 3 + 4);

  // A table change that alters a cached statement's result shape is survived.
  Run(conn, "CREATE TABLE shape (a int)");
  Run(conn, "INSERT INTO shape VALUES (1)");
  CHECK(Run(conn, "SELECT * FROM shape").columns() == 1);
  Run(conn, "ALTER TABLE shape ADD COLUMN b int");
  absl::StatusOr<Result> changed = conn.Execute("SELECT * FROM shape");
  if (!changed.ok()) {
    CHECK(SqlState(changed.status()) == "0A000");
    changed = conn.Execute("SELECT * FROM shape");
  }
  REQUIRE(changed.ok());
  CHECK(changed->columns() == 2);
}

TEST_CASE("the statement cache is bounded; statements past the bound still run") {
  Connection conn = Connect();
  for (int i = 0; i < Connection::kMaxPreparedStatements + 5; ++i) {
    Result r = Run(conn, absl::StrCat("SELECT $1::int + ", i), {1});
    REQUIRE(*r[0].Get<int32_t>(0) == i + 1);
  }
  CHECK(conn.prepared_statements() == Connection::kMaxPreparedStatements);
  CHECK(*Run(conn, "SELECT count(*) FROM pg_prepared_statements")[0].Get<int64_t>(0) ==
        Connection::kMaxPreparedStatements);
}

TEST_CASE("Abseil's own string_view is accepted as a parameter") {
  Connection conn = Connect();
  const absl::Status status = absl::NotFoundError("from absl");
  CHECK(*Run(conn, "SELECT $1::text", {status.message()})[0].Get<std::string>(0) == "from absl");
}

TEST_CASE("server errors map to status codes and keep the SQLSTATE") {
  Connection conn = Connect();
  Run(conn,
      "CREATE TABLE parent (id int PRIMARY KEY, email text UNIQUE, age int CHECK (age >= 0))");
  Run(conn, "CREATE TABLE child (parent_id int REFERENCES parent(id))");
  Run(conn, "INSERT INTO parent VALUES (1, $1, 30)", {"a@example.com"});

  absl::StatusOr<Result> duplicate =
      conn.Execute("INSERT INTO parent VALUES (2, $1, 30)", {"a@example.com"});
  CHECK(duplicate.status().code() == absl::StatusCode::kAlreadyExists);
  CHECK(SqlState(duplicate.status()) == kUniqueViolation);
  CHECK(ConstraintName(duplicate.status()) == "parent_email_key");
  // The duplicated value is never in the message (PostgreSQL puts it in DETAIL).
  CHECK(duplicate.status().message().find("a@example.com") == absl::string_view::npos);

  absl::StatusOr<Result> orphan = conn.Execute("INSERT INTO child VALUES ($1)", {99});
  CHECK(orphan.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(SqlState(orphan.status()) == kForeignKeyViolation);

  absl::StatusOr<Result> negative = conn.Execute("INSERT INTO parent VALUES (3, 'b', $1)", {-1});
  CHECK(negative.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(SqlState(negative.status()) == kCheckViolation);

  absl::StatusOr<Result> bad_input = conn.Execute("SELECT $1::int", {"secret-value-not-a-number"});
  CHECK(bad_input.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(SqlState(bad_input.status()) == "22P02");
  CHECK(bad_input.status().message().find("secret-value") == absl::string_view::npos);

  absl::StatusOr<Result> syntax = conn.Execute("SELEC 1");
  CHECK(syntax.status().code() == absl::StatusCode::kInternal);
  CHECK(SqlState(syntax.status()) == "42601");

  // SqlState's view outlives the status.
  std::string_view code;
  {
    absl::Status copy = duplicate.status();
    code = SqlState(copy);
  }
  CHECK(code == "23505");
  CHECK(SqlState(absl::InternalError("not from PostgreSQL")).empty());
}

TEST_CASE("ExecuteScript runs several statements; search_path comes from the options") {
  Connection setup = Connect();
  REQUIRE(setup
              .ExecuteScript("CREATE SCHEMA app; CREATE TABLE app.items (id int);"
                             "INSERT INTO app.items VALUES (1), (2);")
              .ok());
  ConnectionOptions options = setup.options();
  options.search_path = "app";
  Connection conn = Connect(options);
  CHECK(*Run(conn, "SELECT count(*) FROM items")[0].Get<int64_t>(0) == 2);
  CHECK(*Run(conn, "SHOW search_path")[0].Get<std::string>(0) == "app");

  absl::Status failed = conn.ExecuteScript("INSERT INTO items VALUES (3); SELECT 1/0;");
  CHECK(failed.code() == absl::StatusCode::kInvalidArgument);
  CHECK(SqlState(failed) == "22012");
}

TEST_CASE("Ping answers on a live connection; a terminated session is reported broken") {
  Connection conn = Connect();
  CHECK(conn.Ping(absl::Seconds(5)).ok());
  CHECK_FALSE(conn.broken());
  CHECK_FALSE(conn.IdleConnectionLost());

  Connection admin = Connect(conn.options());
  const int64_t pid = *Run(conn, "SELECT pg_backend_pid()::bigint")[0].Get<int64_t>(0);
  Result terminated = Run(admin, "SELECT pg_terminate_backend($1::int, 5000)", {pid});
  REQUIRE(*terminated[0].Get<bool>(0));

  CHECK(conn.IdleConnectionLost());
  absl::StatusOr<Result> after = conn.Execute("SELECT 1");
  CHECK(after.status().code() == absl::StatusCode::kUnavailable);
  CHECK(conn.broken());
}

TEST_CASE("Open fails with one clear line naming the target") {
  absl::StatusOr<testing::TestDatabase> db = testing::PgServer::Shared().CreateDatabase();
  REQUIRE(db.ok());
  ConnectionOptions options = db->options();
  options.dbname = "no_such_database";
  absl::StatusOr<Connection> conn = Connection::Open(options);
  CHECK(conn.status().code() == absl::StatusCode::kUnavailable);
  CHECK(conn.status().message() ==
        absl::StrCat("cannot connect to PostgreSQL at 127.0.0.1:", db->port,
                     " database no_such_database as user postgres: connection to server at "
                     "\"127.0.0.1\", port ",
                     db->port, " failed: FATAL:  database \"no_such_database\" does not exist"));
}

}  // namespace
}  // namespace backoffice::pg
