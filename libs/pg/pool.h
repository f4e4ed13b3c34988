// A bounded, health-checked pool of PostgreSQL connections.
//
//   PoolOptions options{.connection = {.port = 5432, .dbname = "app", .user = "app"}};
//   absl::StatusOr<std::unique_ptr<Pool>> pool = Pool::Create(options);  // fails fast
//   absl::StatusOr<PooledConnection> conn = (*pool)->Acquire();
//   absl::StatusOr<Result> rows = (*conn)->Execute("SELECT 1", {});
//   // the lease returns the connection when `conn` goes out of scope
#pragma once

#include <cstdint>
#include <deque>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/pg/connection.h"
#include "libs/pg/connection_options.h"

namespace backoffice::pg {

/// Pool settings.
struct PoolOptions {
  ConnectionOptions connection;
  /// Most connections open at once; Acquire waits when all are in use.
  int max_size = 8;
  /// Default wait for Acquire().
  absl::Duration acquire_timeout = absl::Seconds(5);
  /// An idle connection unused this long is pinged on Acquire before it is handed out.
  absl::Duration ping_idle_after = absl::Seconds(30);
  /// Bound on that ping.
  absl::Duration ping_timeout = absl::Seconds(2);
};

/// Counters for metrics.
struct PoolStats {
  int in_use = 0;
  int idle = 0;
  int max_size = 0;
  /// Acquire calls that had to wait because every connection was in use.
  int64_t acquire_waits = 0;
  /// Acquire calls that gave up after waiting.
  int64_t acquire_timeouts = 0;
  int64_t connections_opened = 0;
  /// Connections closed because they were broken or failed a health check.
  int64_t connections_discarded = 0;
};

class Pool;

/// A connection leased from a Pool. Move-only; returns the connection to the pool on destruction (a
/// broken one, or one left inside a transaction, is closed instead). The Pool must outlive its
/// leases.
class PooledConnection final {
 public:
  PooledConnection(PooledConnection&& other) noexcept;
  PooledConnection& operator=(PooledConnection&& other) noexcept;
  ~PooledConnection();

  Connection* operator->() const { return conn_.get(); }
  Connection& operator*() const { return *conn_; }

  /// Returns the connection now (or closes it if broken). The lease is empty afterwards.
  void Release();

 private:
  friend class Pool;
  PooledConnection(Pool* pool, std::unique_ptr<Connection> conn)
      : pool_(pool), conn_(std::move(conn)) {}

  Pool* pool_ = nullptr;
  std::unique_ptr<Connection> conn_;
};

/// Thread-safe. Opens connections lazily up to max_size and reuses them most-recent first. On
/// Acquire an idle connection is checked without a round trip (did the server close it?) and, if
/// unused for ping_idle_after, pinged; a bad one is replaced by a fresh connection. So after a
/// server restart the next Acquire reconnects instead of handing out a dead session.
class Pool final {
 public:
  /// Validates options and opens one connection, so a wrong address, database or password fails
  /// here: UNAVAILABLE "cannot connect to PostgreSQL at host:port database d as user u: ...".
  static absl::StatusOr<std::unique_ptr<Pool>> Create(PoolOptions options);

  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  /// Acquire with options().acquire_timeout.
  absl::StatusOr<PooledConnection> Acquire();
  /// A healthy connection, waiting up to `timeout` if all max_size are in use:
  /// DEADLINE_EXCEEDED when the wait runs out; UNAVAILABLE if a new connection cannot be opened.
  absl::StatusOr<PooledConnection> Acquire(absl::Duration timeout);

  /// Readiness probe: a connection within `timeout` and a round trip on it.
  absl::Status Ping(absl::Duration timeout);

  int in_use() const;
  int idle() const;
  int max_size() const { return options_.max_size; }
  int64_t acquire_waits() const;
  PoolStats stats() const;
  const PoolOptions& options() const { return options_; }

 private:
  friend class PooledConnection;
  struct Idle {
    std::unique_ptr<Connection> conn;
    absl::Time since;
  };

  explicit Pool(PoolOptions options) : options_(std::move(options)) {}
  void Return(std::unique_ptr<Connection> conn);
  // Checks an idle connection taken from the pool; false if it must be discarded.
  bool Healthy(Idle& idle);

  const PoolOptions options_;
  mutable absl::Mutex mutex_;
  std::deque<Idle> idle_ ABSL_GUARDED_BY(mutex_);
  // Connections open or being opened: idle + in use.
  int open_ ABSL_GUARDED_BY(mutex_) = 0;
  PoolStats counters_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace backoffice::pg
