// Persistence of the brute-force state (LoginThrottle's LockoutState): for accounts in the users
// table's failed_logins / last_failed_login_at / locked_until / lock_count columns, and for emails
// without an account in `unknown_login_throttle`, keyed by lower(email), so an unknown email
// slows down and locks exactly like a real one (no enumeration through the throttle).
//
//   LockoutStore lockouts(pool);  // the contract's policy
//   // inside the transaction that records a failed attempt:
//   absl::StatusOr<LockoutState> state =
//       lockouts.RecordUserFailure(tx, user_id, "wrong_password", ip, actor, now);
//
// Counting is exact under concurrency: each failure locks the row (SELECT ... FOR UPDATE),
// applies LoginThrottle::AfterFailure to the state it finds and writes the result before commit,
// so concurrent failures serialize on the row and none is lost. The slow part of a login (argon2)
// runs before, without the lock. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/pg/pool.h"
#include "libs/pg/result.h"
#include "libs/pg/transaction.h"
#include "services/users/credentials/login_throttle.h"
#include "services/users/store/user.h"

namespace backoffice::users {

/// An account's lockout state as GetLockout/Unlock return it (user.proto Lockout).
struct LockoutInfo {
  std::string user_id;
  /// Logins are refused right now.
  bool locked = false;
  /// Failures counted in the current window.
  int failed_attempts = 0;
  /// End of the current lock; unset when not locked.
  std::optional<absl::Time> locked_until;
  /// Locks since the last success or Unlock.
  int lock_count = 0;
  /// Last counted failure; unset if none in the window.
  std::optional<absl::Time> last_failure_time;
  /// Client IP of the last failure ("" if unknown).
  std::string last_failure_ip_address;
};

/// Reads and writes lockout state; see the file comment.
class LockoutStore final {
 public:
  /// The pool's sessions must use search_path = users. The pool must outlive the store.
  explicit LockoutStore(pg::Pool& pool, LoginThrottle throttle = LoginThrottle());

  /// The policy.
  const LoginThrottle& throttle() const { return throttle_; }

  /// The state in a row with columns failed_logins, last_failed_login_at, locked_until,
  /// lock_count.
  static absl::StatusOr<LockoutState> StateFromRow(const pg::Row& row);

  /// The state of an email without an account (all clear if it has no row). No lock taken.
  absl::StatusOr<LockoutState> ReadUnknown(std::string_view email);

  /// Counts a failed attempt on `user_id` in `tx` and writes `login.failed` (with `reason`,
  /// never the secret) and, when this failure locks the account, `lock.set`. Returns the new
  /// state. NOT_FOUND if the user does not exist.
  absl::StatusOr<LockoutState> RecordUserFailure(pg::Transaction& tx, std::string_view user_id,
                                                 std::string_view reason,
                                                 std::string_view ip_address, const Actor& actor,
                                                 absl::Time now) const;

  /// Counts a failed attempt on an email without an account, creating its row on first use, and
  /// writes `login.failed` (aggregate "login", reason "unknown_email"; the email is not stored in
  /// the event). Returns the new state.
  absl::StatusOr<LockoutState> RecordUnknownFailure(pg::Transaction& tx, std::string_view email,
                                                    std::string_view ip_address, const Actor& actor,
                                                    absl::Time now) const;

  /// Clears an account's state in `tx` (after a successful login). No event.
  static absl::Status ResetUser(pg::Transaction& tx, std::string_view user_id);

  /// GetLockout: the state at `now`. NOT_FOUND for an unknown user, INVALID_ARGUMENT
  /// "user_id: ..." for a malformed id.
  absl::StatusOr<LockoutInfo> Get(std::string_view user_id, absl::Time now);

  /// Unlock: clears the lock and the count (idempotent); writes `lock.cleared` when there was
  /// anything to clear. Returns the state after. NOT_FOUND for an unknown user.
  absl::StatusOr<LockoutInfo> Unlock(std::string_view user_id, const Actor& actor, absl::Time now);

  /// Deletes unknown-email rows whose failures no longer count and whose lock has ended (a day
  /// after their last failure); for a periodic job. Returns how many.
  absl::StatusOr<int64_t> PurgeUnknown(absl::Time now);

 private:
  LockoutInfo InfoAt(std::string_view user_id, const LockoutState& state, std::string ip,
                     absl::Time now) const;

  pg::Pool& pool_;
  LoginThrottle throttle_;
};

}  // namespace backoffice::users
