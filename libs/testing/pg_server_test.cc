#include "libs/testing/pg_server.h"

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/pg/connection.h"

namespace backoffice::testing {
namespace {

pg::Connection Connect(const TestDatabase& db) {
  absl::StatusOr<pg::Connection> conn = pg::Connection::Open(db.options());
  INFO(conn.status().ToString());
  REQUIRE(conn.ok());
  return *std::move(conn);
}

int64_t Count(pg::Connection& conn, std::string_view sql) {
  absl::StatusOr<pg::Result> result = conn.Execute(sql);
  INFO(result.status().ToString());
  REQUIRE(result.ok());
  absl::StatusOr<int64_t> count = (*result)[0].Get<int64_t>(0);
  REQUIRE(count.ok());
  return *count;
}

TEST_CASE("the shared server starts and answers on 127.0.0.1") {
  PgServer& server = PgServer::Shared();
  CHECK(server.port() > 0);
  CHECK(server.host() == "127.0.0.1");
  CHECK(&server == &PgServer::Shared());
  CHECK(std::filesystem::exists(server.folder() + "/data/PG_VERSION"));

  absl::StatusOr<TestDatabase> db = server.CreateDatabase();
  INFO(db.status().ToString());
  REQUIRE(db.ok());
  pg::Connection conn = Connect(*db);
  absl::StatusOr<pg::Result> result = conn.Execute(
      "SELECT current_database(), inet_server_addr()::text, "
      "current_setting('fsync')");
  INFO(result.status().ToString());
  REQUIRE(result.ok());
  CHECK(*(*result)[0].Get<std::string>(0) == db->name);
  CHECK(*(*result)[0].Get<std::string>(1) == "127.0.0.1/32");
  CHECK(*(*result)[0].Get<std::string>(2) == "off");
}

TEST_CASE("each CreateDatabase call gives a separate, empty database") {
  absl::StatusOr<TestDatabase> first = PgServer::Shared().CreateDatabase();
  absl::StatusOr<TestDatabase> second = PgServer::Shared().CreateDatabase();
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(first->name != second->name);
  CHECK(ConnectionOptionsFor(*first).dbname == first->name);

  pg::Connection a = Connect(*first);
  pg::Connection b = Connect(*second);
  REQUIRE(a.Execute("CREATE TABLE only_in_first (id int)").ok());
  REQUIRE(a.Execute("INSERT INTO only_in_first VALUES (1)").ok());

  CHECK(Count(a, "SELECT count(*) FROM only_in_first") == 1);
  CHECK(Count(b, "SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_first'") == 0);
  CHECK(Count(b, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == 0);
}

TEST_CASE("Stop and Start keep the port and the data") {
  PgServer& server = PgServer::Shared();
  absl::StatusOr<TestDatabase> db = server.CreateDatabase();
  REQUIRE(db.ok());
  {
    pg::Connection conn = Connect(*db);
    REQUIRE(conn.Execute("CREATE TABLE kept (v text)").ok());
    REQUIRE(conn.Execute("INSERT INTO kept VALUES ($1)", {"survives restart"}).ok());
  }
  const int port = server.port();

  REQUIRE(server.Stop().ok());
  CHECK_FALSE(pg::Connection::Open(db->options()).ok());
  CHECK(server.Stop().code() == absl::StatusCode::kFailedPrecondition);
  absl::Status started = server.Start();
  INFO(started.ToString());
  REQUIRE(started.ok());

  CHECK(server.port() == port);
  pg::Connection conn = Connect(*db);
  absl::StatusOr<pg::Result> result = conn.Execute("SELECT v FROM kept");
  REQUIRE(result.ok());
  REQUIRE(result->size() == 1);
  CHECK(*(*result)[0].Get<std::string>("v") == "survives restart");
}

TEST_CASE(
    "a second server can run beside the shared one and is removed with its "
    "folder") {
  std::string folder;
  {
    absl::StatusOr<std::unique_ptr<PgServer>> other = PgServer::Launch();
    INFO(other.status().ToString());
    REQUIRE(other.ok());
    CHECK((*other)->port() != PgServer::Shared().port());
    folder = (*other)->folder();
    CHECK(std::filesystem::exists(folder));
    absl::StatusOr<TestDatabase> db = (*other)->CreateDatabase();
    REQUIRE(db.ok());
    pg::Connection conn = Connect(*db);
    CHECK(conn.Execute("SELECT 1").ok());
  }
  CHECK_FALSE(std::filesystem::exists(folder));
}

TEST_CASE("a folder left by a dead test process is removed when the next server starts") {
  const std::filesystem::path base =
      std::filesystem::path(PgServer::Shared().folder()).parent_path();
  // A pid that certainly belonged to a process that has exited.
  const pid_t child = fork();
  if (child == 0) {
    _exit(0);
  }
  REQUIRE(child > 0);
  REQUIRE(waitpid(child, nullptr, 0) == child);

  const std::filesystem::path stale = base / absl::StrCat("backoffice-pg-stale", getpid());
  const std::filesystem::path live = base / absl::StrCat("backoffice-pg-live", getpid());
  const std::filesystem::path foreign = base / absl::StrCat("backoffice-pg-foreign", getpid());
  // Dead owner, but written just now: may be a test binary that is starting; kept.
  const std::filesystem::path young = base / absl::StrCat("backoffice-pg-young", getpid());
  for (const auto& [folder, owner] :
       {std::pair{stale, std::optional<pid_t>(child)},
        std::pair{live, std::optional<pid_t>(getpid())}, std::pair{foreign, std::optional<pid_t>()},
        std::pair{young, std::optional<pid_t>(child)}}) {
    std::filesystem::create_directories(folder / "data");
    if (owner.has_value()) {
      std::ofstream(folder / "owner.pid") << *owner << "\n";
      if (folder != young) {
        std::filesystem::last_write_time(
            folder / "owner.pid",
            std::filesystem::file_time_type::clock::now() - std::chrono::minutes(5));
      }
    }
  }

  absl::StatusOr<std::unique_ptr<PgServer>> other = PgServer::Launch();
  REQUIRE(other.ok());
  CHECK_FALSE(std::filesystem::exists(stale));
  CHECK(std::filesystem::exists(live));
  CHECK(std::filesystem::exists(foreign));  // no owner file: not ours to delete
  CHECK(std::filesystem::exists(young));
  std::filesystem::remove_all(young);
  std::filesystem::remove_all(live);
  std::filesystem::remove_all(foreign);
}

}  // namespace
}  // namespace backoffice::testing
