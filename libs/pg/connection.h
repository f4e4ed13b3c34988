// One PostgreSQL session (libpq PGconn) with a per-connection prepared-statement cache.
//
//   absl::StatusOr<Connection> conn = Connection::Open(options);
//   absl::StatusOr<Result> rows = conn->Execute("SELECT name FROM t WHERE id = $1", {id});
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/pg/connection_options.h"
#include "libs/pg/params.h"
#include "libs/pg/result.h"

struct pg_conn;

namespace backoffice::pg {

/// A connection to PostgreSQL. Not thread-safe: one thread uses it at a time (a Pool hands each out
/// to one user). Move-only; closes the session on destruction.
class Connection final {
 public:
  /// Bound on the per-connection statement cache.
  static constexpr int kMaxPreparedStatements = 1000;

  /// Connects. On failure: UNAVAILABLE "cannot connect to PostgreSQL at 127.0.0.1:5433 database x
  /// as user y: <libpq's first line>".
  static absl::StatusOr<Connection> Open(const ConnectionOptions& options);

  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  ~Connection();

  /// Runs one statement with parameters sent separately ($1, $2, ...). The first time a given SQL
  /// text (with the same parameter types) is seen on this connection it is prepared, later calls
  /// reuse the prepared statement. Errors map as in error.h.
  absl::StatusOr<Result> Execute(std::string_view sql, const Params& params = {});

  /// Runs SQL that may hold several statements, through the simple query protocol: no parameters,
  /// no statement cache. For migrations and fixed administrative SQL only.
  absl::Status ExecuteScript(std::string_view sql);

  /// Runs `copy_sql`, a `COPY ... FROM STDIN` statement (it must start with COPY, after comments;
  /// no parameters, no statement cache), and sends `data` as its whole input, in the statement's
  /// format (see copy_text.h for the text format). Returns the number of rows copied. A row the
  /// server refuses fails the whole COPY (nothing of it is stored) with the error mapped as in
  /// error.h and the COPY's line and column appended ("... (COPY t, line 2, column v)"; never the
  /// value); the connection stays usable (inside a transaction, the transaction is aborted). Not a
  /// COPY statement: INVALID_ARGUMENT, nothing is sent.
  absl::StatusOr<int64_t> CopyIn(std::string_view copy_sql, std::string_view data);

  /// Round-trips a trivial query, waiting at most `timeout`; a timed-out connection is closed (and
  /// so broken()). DEADLINE_EXCEEDED on timeout, UNAVAILABLE if the server is gone.
  absl::Status Ping(absl::Duration timeout = absl::Seconds(5));

  /// True if the session is known to be unusable (lost, closed, or failed with a connection error).
  /// Does no I/O.
  bool broken() const;

  /// True if the server closed the session or sent something while it was idle:
  /// checks the socket without blocking. A connection that idled through a server restart fails
  /// this.
  bool IdleConnectionLost();

  /// True if a transaction is open (or failed and not yet rolled back) on this session.
  bool InTransaction() const;

  /// Number of statements prepared on this session (for tests and metrics).
  int prepared_statements() const { return static_cast<int>(statements_.size()); }

  /// The options this connection was opened with.
  const ConnectionOptions& options() const { return options_; }

  /// The libpq handle, for what this class does not wrap. Stays owned by the Connection.
  pg_conn* native() const { return conn_.get(); }

 private:
  struct Close {
    void operator()(pg_conn* conn) const;
  };
  Connection(std::unique_ptr<pg_conn, Close> conn, ConnectionOptions options);

  absl::StatusOr<std::string> Prepare(const std::string& key, std::string_view sql,
                                      const std::vector<unsigned>& types);

  std::unique_ptr<pg_conn, Close> conn_;
  ConnectionOptions options_;
  // SQL text + parameter type OIDs -> prepared statement name.
  absl::flat_hash_map<std::string, std::string> statements_;
  int64_t next_statement_ = 0;
};

}  // namespace backoffice::pg
