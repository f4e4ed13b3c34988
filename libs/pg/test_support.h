// What libs/pg's own tests share: a connection to a fresh database of the shared test server,
// and a statement that must succeed (the test fails, naming the SQL and the error, otherwise).
//
//   Connection conn = test::ConnectToNewDatabase();
//   Result rows = test::Run(conn, "SELECT 1");
#pragma once

#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "libs/pg/connection.h"
#include "libs/testing/pg_server.h"

namespace backoffice::pg::test {

/// A connection to a new, empty database of testing::PgServer::Shared().
inline Connection ConnectToNewDatabase() {
  absl::StatusOr<testing::TestDatabase> db = testing::PgServer::Shared().CreateDatabase();
  INFO(db.status().ToString());
  REQUIRE(db.ok());
  absl::StatusOr<Connection> conn = Connection::Open(db->options());
  INFO(conn.status().ToString());
  REQUIRE(conn.ok());
  return *std::move(conn);
}

/// Executes `sql`; REQUIREs success.
inline Result Run(Connection& conn, std::string_view sql, const Params& params = {}) {
  absl::StatusOr<Result> result = conn.Execute(sql, params);
  INFO(std::string(sql) << " -> " << result.status().ToString());
  REQUIRE(result.ok());
  return *std::move(result);
}

}  // namespace backoffice::pg::test
