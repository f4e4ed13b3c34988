// An explicit transaction on one Connection; rolls back unless committed.
//
//   absl::StatusOr<Transaction> tx = Transaction::Begin(*conn, IsolationLevel::kSerializable);
//   if (!tx.ok()) return tx.status();
//   if (auto r = tx->Execute("UPDATE ...", {id}); !r.ok()) return r.status();  // rolls back
//   return tx->Commit();
#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/pg/connection.h"
#include "libs/pg/params.h"
#include "libs/pg/result.h"

namespace backoffice::pg {

/// SQL isolation levels PostgreSQL implements.
enum class IsolationLevel { kReadCommitted, kRepeatableRead, kSerializable };

/// Options for BEGIN.
struct TransactionOptions {
  IsolationLevel isolation = IsolationLevel::kReadCommitted;
  bool read_only = false;
};

/// A transaction in progress. Move-only; the Connection must outlive it. Destroying it before
/// Commit() rolls back (best effort: a lost connection has rolled back already).
class Transaction final {
 public:
  /// Sends BEGIN with the isolation level. FAILED_PRECONDITION if `conn` is already in a
  /// transaction.
  static absl::StatusOr<Transaction> Begin(Connection& conn, TransactionOptions options = {});
  static absl::StatusOr<Transaction> Begin(Connection& conn, IsolationLevel isolation) {
    return Begin(conn, TransactionOptions{.isolation = isolation});
  }

  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&& other) noexcept;
  ~Transaction();

  /// Connection::Execute inside the transaction. After an error the transaction is aborted: later
  /// statements fail until it is rolled back.
  absl::StatusOr<Result> Execute(std::string_view sql, const Params& params = {});

  /// Connection::CopyIn inside the transaction: rows copied. After an error the transaction is
  /// aborted, as after a failed Execute.
  absl::StatusOr<int64_t> CopyIn(std::string_view copy_sql, std::string_view data);

  /// Commits. A serialization failure at commit is ABORTED (retry the whole transaction); a
  /// transaction that an earlier error aborted is rolled back and reported as ABORTED too, with the
  /// message saying so. The transaction is finished either way.
  absl::Status Commit();

  /// Rolls back now. The transaction is finished.
  absl::Status Rollback();

  /// True until Commit() or Rollback().
  bool active() const { return conn_ != nullptr; }

  /// The connection the transaction runs on.
  Connection& connection() const { return *conn_; }

 private:
  explicit Transaction(Connection& conn) : conn_(&conn) {}

  Connection* conn_;
};

}  // namespace backoffice::pg
