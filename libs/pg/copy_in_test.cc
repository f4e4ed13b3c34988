// Connection::CopyIn and Transaction::CopyIn against a real PostgreSQL, with rows built by
// copy_text.h.
#include <catch2/catch.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/pg/connection.h"
#include "libs/pg/copy_text.h"
#include "libs/pg/error.h"
#include "libs/pg/test_support.h"
#include "libs/pg/transaction.h"
#include "libs/testing/pg_server.h"

namespace backoffice::pg {
namespace {

using test::Run;

int64_t Count(Connection& conn) { return *Run(conn, "SELECT count(*) FROM t")[0].Get<int64_t>(0); }

// One text-format row of (id, note): `note` NULL when absent.
std::string Row(int id, std::optional<std::string_view> note) {
  std::string row = absl::StrCat(id, "\t");
  if (note.has_value()) {
    AppendCopyText(row, *note);
  } else {
    AppendCopyNull(row);
  }
  row.push_back('\n');
  return row;
}

TEST_CASE("AppendCopyText escapes exactly backslash, tab, newline and carriage return") {
  std::string out = "x";
  AppendCopyText(out, "a\\b\tc\nd\re \"'\xc3\xa9");
  CHECK(out == "xa\\\\b\\tc\\nd\\re \"'\xc3\xa9");
  std::string null_marker;
  AppendCopyNull(null_marker);
  CHECK(null_marker == "\\N");
}

TEST_CASE("CopyIn stores every row and returns how many") {
  Connection conn = test::ConnectToNewDatabase();
  Run(conn, "CREATE TABLE t (id integer PRIMARY KEY, note text)");
  const std::string rows = Row(1, "one") + Row(2, "two") + Row(3, std::nullopt);
  absl::StatusOr<int64_t> copied = conn.CopyIn(
      "-- a comment, as .sql files open with\n/* and another */ COPY t (id, note) FROM STDIN",
      rows);
  INFO(copied.status().ToString());
  REQUIRE(copied.ok());
  CHECK(*copied == 3);
  Result stored = Run(conn, "SELECT id, note FROM t ORDER BY id");
  REQUIRE(stored.size() == 3);
  CHECK(*stored[0].Get<std::string>("note") == "one");
  CHECK(*stored[1].Get<std::string>("note") == "two");
  CHECK_FALSE(stored[2].Get<std::optional<std::string>>("note")->has_value());
}

TEST_CASE("escaped values round-trip byte for byte, NULL apart from the text \\N") {
  Connection conn = test::ConnectToNewDatabase();
  Run(conn, "CREATE TABLE t (id integer PRIMARY KEY, note text)");
  const std::vector<std::string> values = {
      "",
      "tab\there",
      "line\nbreak",
      "carriage\rreturn",
      "back\\slash",
      "\\N",
      "\\.",
      "ends with backslash\\",
      "\\t not a tab",
      "quotes \" ' and unicode \xc3\xa9\xe2\x82\xac\xf0\x9f\x94\x92",
      "\t\n\\\r",
  };
  std::string rows;
  for (size_t i = 0; i < values.size(); ++i) rows += Row(static_cast<int>(i), values[i]);
  rows += Row(static_cast<int>(values.size()), std::nullopt);
  absl::StatusOr<int64_t> copied = conn.CopyIn("COPY t FROM STDIN", rows);
  INFO(copied.status().ToString());
  REQUIRE(copied.ok());
  CHECK(*copied == static_cast<int64_t>(values.size() + 1));
  Result stored = Run(conn, "SELECT id, note FROM t ORDER BY id");
  REQUIRE(stored.size() == static_cast<int>(values.size()) + 1);
  for (size_t i = 0; i < values.size(); ++i) {
    INFO("value " << i);
    absl::StatusOr<std::optional<std::string>> note =
        stored[static_cast<int>(i)].Get<std::optional<std::string>>("note");
    REQUIRE(note.ok());
    REQUIRE(note->has_value());
    CHECK(**note == values[i]);
  }
  CHECK_FALSE(
      stored[static_cast<int>(values.size())].Get<std::optional<std::string>>("note")->has_value());
}

TEST_CASE("input larger than one chunk arrives whole") {
  Connection conn = test::ConnectToNewDatabase();
  Run(conn, "CREATE TABLE t (id integer PRIMARY KEY, note text)");
  const std::string note(1000, 'x');
  std::string rows;
  constexpr int kRows = 5000;  // about 5 MB: several 1 MiB chunks
  for (int i = 0; i < kRows; ++i) rows += Row(i, note);
  absl::StatusOr<int64_t> copied = conn.CopyIn("COPY t (id, note) FROM STDIN", rows);
  INFO(copied.status().ToString());
  REQUIRE(copied.ok());
  CHECK(*copied == kRows);
  CHECK(*Run(conn, "SELECT sum(length(note))::bigint FROM t")[0].Get<int64_t>(0) ==
        int64_t{kRows} * 1000);
}

TEST_CASE("a bad row fails the whole COPY with the line, nothing is stored, the session goes on") {
  Connection conn = test::ConnectToNewDatabase();
  Run(conn, "CREATE TABLE t (id integer PRIMARY KEY, note text)");
  const std::string rows = Row(1, "fine") + "two\tsecret value\n" + Row(3, "fine");
  absl::StatusOr<int64_t> copied = conn.CopyIn("COPY t (id, note) FROM STDIN", rows);
  REQUIRE_FALSE(copied.ok());
  INFO(copied.status().ToString());
  CHECK(copied.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(SqlState(copied.status()) == "22P02");
  const std::string message(copied.status().message());
  CHECK(message.find("invalid input syntax for type integer") != std::string::npos);
  CHECK(message.find("line 2, column id") != std::string::npos);
  CHECK(message.find("two") == std::string::npos);  // the value stays out of the message
  CHECK(Count(conn) == 0);
  CHECK_FALSE(conn.broken());
  CHECK_FALSE(conn.InTransaction());

  SECTION("a constraint violation on the last row") {
    const std::string duplicate = Row(1, "a") + Row(2, "b") + Row(1, "again");
    absl::StatusOr<int64_t> again = conn.CopyIn("COPY t (id, note) FROM STDIN", duplicate);
    REQUIRE_FALSE(again.ok());
    INFO(again.status().ToString());
    CHECK(again.status().code() == absl::StatusCode::kAlreadyExists);
    CHECK(ConstraintName(again.status()) == "t_pkey");
    CHECK(Count(conn) == 0);
  }
  SECTION("a row with too many columns") {
    absl::StatusOr<int64_t> again = conn.CopyIn("COPY t (id, note) FROM STDIN", "1\ta\tb\n");
    REQUIRE_FALSE(again.ok());
    INFO(again.status().ToString());
    CHECK(std::string(again.status().message()).find("extra data") != std::string::npos);
    CHECK(std::string(again.status().message()).find("line 1") != std::string::npos);
  }
  // Either way the connection answers the next statement and COPY works again.
  REQUIRE(conn.CopyIn("COPY t (id, note) FROM STDIN", Row(7, "later")).ok());
  CHECK(Count(conn) == 1);
}

TEST_CASE("CopyIn refuses what is not COPY FROM STDIN and the session stays usable") {
  Connection conn = test::ConnectToNewDatabase();
  Run(conn, "CREATE TABLE t (id integer PRIMARY KEY, note text)");
  Run(conn, "INSERT INTO t VALUES (1, 'kept')");

  absl::StatusOr<int64_t> not_copy = conn.CopyIn("DELETE FROM t", "");
  CHECK(not_copy.status().code() == absl::StatusCode::kInvalidArgument);
  not_copy = conn.CopyIn("-- COPY t FROM STDIN\nDELETE FROM t", "");
  CHECK(not_copy.status().code() == absl::StatusCode::kInvalidArgument);
  not_copy = conn.CopyIn("/* COPY t FROM STDIN", "");
  CHECK(not_copy.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(Count(conn) == 1);  // nothing was run

  absl::StatusOr<int64_t> copy_out = conn.CopyIn("COPY t TO STDOUT", "");
  CHECK(copy_out.status().code() == absl::StatusCode::kInvalidArgument);

  absl::StatusOr<int64_t> no_table = conn.CopyIn("COPY missing FROM STDIN", Row(2, "x"));
  REQUIRE_FALSE(no_table.ok());
  CHECK(SqlState(no_table.status()) == "42P01");

  CHECK(Count(conn) == 1);
  CHECK_FALSE(conn.InTransaction());
}

TEST_CASE("CopyIn in a transaction commits with it, and a failed one aborts it") {
  Connection conn = test::ConnectToNewDatabase();
  Run(conn, "CREATE TABLE t (id integer PRIMARY KEY, note text)");
  {
    absl::StatusOr<Transaction> tx = Transaction::Begin(conn);
    REQUIRE(tx.ok());
    REQUIRE(tx->Execute("INSERT INTO t VALUES (1, 'by insert')").ok());
    absl::StatusOr<int64_t> copied = tx->CopyIn("COPY t FROM STDIN", Row(2, "by copy"));
    REQUIRE(copied.ok());
    CHECK(*copied == 1);
    REQUIRE(tx->Commit().ok());
  }
  CHECK(Count(conn) == 2);
  {
    absl::StatusOr<Transaction> tx = Transaction::Begin(conn);
    REQUIRE(tx.ok());
    REQUIRE(tx->CopyIn("COPY t FROM STDIN", Row(3, "fine")).ok());
    CHECK_FALSE(tx->CopyIn("COPY t FROM STDIN", Row(1, "duplicate")).ok());
    CHECK_FALSE(tx->Execute("SELECT 1").ok());  // aborted until rolled back
    CHECK(tx->Commit().code() == absl::StatusCode::kAborted);
  }
  CHECK(Count(conn) == 2);
  CHECK_FALSE(conn.InTransaction());
}

}  // namespace
}  // namespace backoffice::pg
