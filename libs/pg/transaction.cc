#include "libs/pg/transaction.h"

#include <postgresql/libpq-fe.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/pg/error.h"

namespace backoffice::pg {
namespace {

std::string_view BeginStatement(const TransactionOptions& options) {
  switch (options.isolation) {
    case IsolationLevel::kRepeatableRead:
      return options.read_only ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
                               : "BEGIN ISOLATION LEVEL REPEATABLE READ";
    case IsolationLevel::kSerializable:
      return options.read_only ? "BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY"
                               : "BEGIN ISOLATION LEVEL SERIALIZABLE";
    case IsolationLevel::kReadCommitted:
      break;
  }
  return options.read_only ? "BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY"
                           : "BEGIN ISOLATION LEVEL READ COMMITTED";
}

}  // namespace

absl::StatusOr<Transaction> Transaction::Begin(Connection& conn, TransactionOptions options) {
  if (conn.InTransaction()) {
    return absl::FailedPreconditionError("a transaction is already open on this connection");
  }
  if (absl::StatusOr<Result> result = conn.Execute(BeginStatement(options)); !result.ok()) {
    return result.status();
  }
  return Transaction(conn);
}

Transaction::Transaction(Transaction&& other) noexcept
    : conn_(std::exchange(other.conn_, nullptr)) {}

Transaction& Transaction::operator=(Transaction&& other) noexcept {
  if (this != &other) {
    if (active()) {
      Rollback().IgnoreError();
    }
    conn_ = std::exchange(other.conn_, nullptr);
  }
  return *this;
}

Transaction::~Transaction() {
  if (active()) {
    Rollback().IgnoreError();
  }
}

absl::StatusOr<Result> Transaction::Execute(std::string_view sql, const Params& params) {
  if (!active()) {
    return absl::FailedPreconditionError("transaction is already finished");
  }
  return conn_->Execute(sql, params);
}

absl::StatusOr<int64_t> Transaction::CopyIn(std::string_view copy_sql, std::string_view data) {
  if (!active()) {
    return absl::FailedPreconditionError("transaction is already finished");
  }
  return conn_->CopyIn(copy_sql, data);
}

absl::Status Transaction::Commit() {
  if (!active()) {
    return absl::FailedPreconditionError("transaction is already finished");
  }
  Connection& conn = *std::exchange(conn_, nullptr);
  const bool failed = PQtransactionStatus(conn.native()) == PQTRANS_INERROR;
  absl::StatusOr<Result> result = conn.Execute("COMMIT");
  if (!result.ok()) {
    return result.status();
  }
  if (failed || result->command_tag() == "ROLLBACK") {
    return absl::AbortedError(
        "transaction was rolled back instead of committed: an earlier "
        "statement in it failed");
  }
  return absl::OkStatus();
}

absl::Status Transaction::Rollback() {
  if (!active()) {
    return absl::FailedPreconditionError("transaction is already finished");
  }
  Connection& conn = *std::exchange(conn_, nullptr);
  if (conn.broken()) {
    return absl::UnavailableError("connection lost; the server rolled the transaction back");
  }
  return conn.Execute("ROLLBACK").status();
}

}  // namespace backoffice::pg
