// Run a function in a transaction on a pooled connection, retrying serialization failures.
//
//   absl::Status status = WithTransaction(pool, [&](Transaction& tx) -> absl::Status {
//     absl::StatusOr<Result> r = tx.Execute("UPDATE accounts SET ... WHERE id = $1", {id});
//     return r.status();
//   });
#pragma once

#include <functional>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/pg/pool.h"
#include "libs/pg/transaction.h"

namespace backoffice::pg {

/// Options for WithTransaction.
struct WithTransactionOptions {
  TransactionOptions transaction;
  /// Total tries, the first included.
  int max_attempts = 5;
  /// Wait for a pooled connection on each try.
  absl::Duration acquire_timeout = absl::Seconds(5);
};

/// Acquires a connection, BEGINs, runs `body`, and commits if it returned OK (else rolls back and
/// returns its status). When `body` or COMMIT fails with a serialization failure (40001) or a
/// deadlock (40P01), the whole transaction runs again, up to max_attempts times with a short
/// randomized backoff: `body` must therefore be safe to run more than once. Other errors, including
/// ABORTED statuses without those SQLSTATEs, are returned at once.
absl::Status WithTransaction(Pool& pool, const std::function<absl::Status(Transaction&)>& body,
                             const WithTransactionOptions& options = {});

}  // namespace backoffice::pg
