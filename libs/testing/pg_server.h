// A throwaway PostgreSQL server for tests: one per test binary, each test in its own database.
//
//   absl::StatusOr<TestDatabase> db = PgServer::Shared().CreateDatabase();
//   REQUIRE(db.ok());
//   absl::StatusOr<pg::Connection> conn = pg::Connection::Open(db->options());
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "libs/pg/connection_options.h"

namespace backoffice::testing {

/// A fresh, empty database on a PgServer.
struct TestDatabase {
  std::string name;
  /// libpq connection string, e.g. for psql: "host=127.0.0.1 port=41234 dbname=t_1 user=postgres".
  std::string conninfo;
  std::string host;
  int port = 0;
  std::string user;

  /// Options for pg::Connection::Open / pg::PoolOptions::connection.
  pg::ConnectionOptions options() const;
};

/// Same as db.options().
pg::ConnectionOptions ConnectionOptionsFor(const TestDatabase& db);

/// The flags that point a platform service binary at `db` (--db_host, --db_port, --db_name,
/// --db_user), for tests that start the real binaries.
std::vector<std::string> DatabaseFlags(const TestDatabase& db);

/// A real PostgreSQL server in a temporary folder (under $TEST_TMPDIR when the server's user can
/// reach it and a unix socket path there fits in 108 bytes, else under /tmp): initdb, trust
/// authentication for the superuser "postgres", listening only on 127.0.0.1 at a port the OS
/// picked, unix sockets inside the folder, fsync off. As root it runs the server binaries as the
/// `postgres` system user (PostgreSQL refuses root). Stopped, and its folder deleted, when the
/// PgServer is destroyed; a watchdog process does the same if the test process dies without doing
/// so. A test runner that kills every descendant of a finished test (Bazel does) can cut the
/// watchdog short; the server dies with it, and the next PgServer start deletes the folder.
class PgServer final {
 public:
  /// The process-wide server, started on first use. Exits the process with a clear message if it
  /// cannot start (tests cannot do anything useful without it).
  static PgServer& Shared();

  /// Starts a new server (most tests want Shared()).
  static absl::StatusOr<std::unique_ptr<PgServer>> Launch();

  ~PgServer();
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  int port() const { return port_; }
  std::string host() const { return "127.0.0.1"; }
  /// The superuser tests connect as.
  std::string user() const { return "postgres"; }
  /// The temporary folder (data directory, sockets and server log are inside).
  const std::string& folder() const { return folder_; }

  /// Creates an empty database with a name unique within this server.
  absl::StatusOr<TestDatabase> CreateDatabase();

  /// Stops the server (fast shutdown: sessions are terminated), keeping data and port.
  absl::Status Stop();
  /// Starts it again after Stop(), on the same port with the same data.
  absl::Status Start();

 private:
  PgServer() = default;
  absl::Status Init();
  absl::Status StartLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  absl::Status StopLocked(const char* mode) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  void StartWatchdog();
  std::string LogTail() const;

  absl::Mutex mutex_;
  std::string bin_dir_;
  std::string folder_;
  std::string data_dir_;
  std::string log_file_;
  int port_ = 0;
  bool as_postgres_user_ = false;
  bool running_ ABSL_GUARDED_BY(mutex_) = false;
  int next_database_ ABSL_GUARDED_BY(mutex_) = 0;
  int watchdog_fd_ = -1;  // write end; closing it (even by dying) triggers the watchdog
  int watchdog_pid_ = -1;
};

}  // namespace backoffice::testing
