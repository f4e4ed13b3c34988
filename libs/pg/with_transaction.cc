#include "libs/pg/with_transaction.h"

#include <algorithm>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "libs/pg/error.h"

namespace backoffice::pg {
namespace {

absl::Status RunOnce(Pool& pool, const std::function<absl::Status(Transaction&)>& body,
                     const WithTransactionOptions& options) {
  absl::StatusOr<PooledConnection> conn = pool.Acquire(options.acquire_timeout);
  if (!conn.ok()) {
    return conn.status();
  }
  absl::StatusOr<Transaction> tx = Transaction::Begin(**conn, options.transaction);
  if (!tx.ok()) {
    return tx.status();
  }
  if (absl::Status status = body(*tx); !status.ok()) {
    return status;  // ~Transaction rolls back
  }
  return tx->Commit();
}

}  // namespace

absl::Status WithTransaction(Pool& pool, const std::function<absl::Status(Transaction&)>& body,
                             const WithTransactionOptions& options) {
  absl::BitGen random;
  absl::Status status;
  const int attempts = std::max(1, options.max_attempts);
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    status = RunOnce(pool, body, options);
    if (status.ok() || !IsRetryableTransactionError(status)) {
      return status;
    }
    if (attempt < attempts) {
      // Spread retries of colliding transactions apart; grows with each attempt.
      absl::SleepFor(absl::Milliseconds(absl::Uniform(random, 1, 5 * attempt + 1)));
    }
  }
  return WithMessage(status,
                     absl::StrCat(status.message(), " (gave up after ", attempts, " attempts)"));
}

}  // namespace backoffice::pg
