// The brute-force policy for logins, as pure functions of an account's lockout state and the
// time: no clock, no database. The store loads the state (FOR UPDATE), asks, and saves the new
// state in the same transaction as the login's outcome.
//
//   LoginThrottle throttle;  // the default policy below
//   LoginAttemptDecision decision = throttle.BeforeAttempt(state, now);
//   if (!decision.allowed) { /* RESOURCE_EXHAUSTED, ErrorInfo ACCOUNT_LOCKED,
//                               RetryInfo decision.retry_after; do not check the password */ }
//   bool ok = hasher.Verify(hash, password);
//   state = ok ? LoginThrottle::Reset() : throttle.AfterFailure(state, now);
//   // save state; sleep decision.delay (without holding the row lock) before answering
//
// Default policy (the contract in proto/users/v1/user.proto, Lockout):
//  - Failures count while each follows the previous one within 15 minutes; a gap longer than
//    that starts the count again at 1.
//  - Before answering an allowed attempt the server waits by the failures already counted:
//    0, 0, 250 ms, 500 ms, then 1 s, so guessing slows down before any lock.
//  - The 5th counted failure locks the account for 15 minutes; each further lock doubles (30 min,
//    1 h, 2 h, ... capped at 24 h). A lock always expires. Locking restarts the failure count, so
//    the next lock needs 5 more failures after this one ends. Attempts during a lock are refused
//    without checking the password and do not count.
//  - A successful login, and an administrator's Unlock, reset everything (Reset()).
// See README.md for the reasoning and for keying state by email so unknown emails behave alike.
#pragma once

#include <optional>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace backoffice::users {

/// Tunable numbers of the policy. The defaults are the contract's.
struct LoginThrottlePolicy {
  /// Failures that impose a lock; at least 1.
  int max_failures = 5;
  /// Longest gap between two failures that still counts them together; positive.
  absl::Duration failure_window = absl::Minutes(15);
  /// Length of the 1st, 2nd, ... lock; the last entry repeats. Non-empty, each positive and
  /// finite.
  std::vector<absl::Duration> lock_durations = {
      absl::Minutes(15), absl::Minutes(30), absl::Hours(1),  absl::Hours(2),
      absl::Hours(4),    absl::Hours(8),    absl::Hours(16), absl::Hours(24)};
  /// Wait before answering when 0, 1, 2, ... failures are counted; the last entry repeats.
  /// Non-empty, each at least zero (and finite: the server sleeps it).
  std::vector<absl::Duration> failure_delays = {absl::ZeroDuration(), absl::ZeroDuration(),
                                                absl::Milliseconds(250), absl::Milliseconds(500),
                                                absl::Seconds(1)};
};

/// One account's lockout state, as stored (the fields of the contract's Lockout message).
struct LockoutState {
  /// Failures counted since the last reset or lock (see FailuresCounted for the window).
  int failed_attempts = 0;
  /// Time of the last counted failure.
  std::optional<absl::Time> last_failure_time;
  /// End of the current or last lock; a past value means not locked.
  std::optional<absl::Time> locked_until;
  /// Locks imposed since the last reset (drives the growth of the lock length).
  int lock_count = 0;

  friend bool operator==(const LockoutState&, const LockoutState&) = default;
};

/// What to do with a login attempt.
struct LoginAttemptDecision {
  /// False: the account is locked; refuse without checking credentials.
  bool allowed = true;
  /// When refused: how long until the lock ends (for RetryInfo); zero otherwise.
  absl::Duration retry_after = absl::ZeroDuration();
  /// When allowed: how long to wait before answering, whatever the outcome.
  absl::Duration delay = absl::ZeroDuration();
};

/// Applies a LoginThrottlePolicy. Copyable and thread-safe (everything is const).
class LoginThrottle final {
 public:
  /// The default policy.
  LoginThrottle() = default;

  /// INVALID_ARGUMENT if the policy breaks a constraint listed in LoginThrottlePolicy.
  static absl::StatusOr<LoginThrottle> Create(LoginThrottlePolicy policy);

  /// Whether an attempt at `now` may proceed, and the delay before answering it.
  LoginAttemptDecision BeforeAttempt(const LockoutState& state, absl::Time now) const;

  /// The state after a failed attempt at `now` (wrong password or second-factor code). Unchanged
  /// while locked: such attempts are refused before they can fail.
  LockoutState AfterFailure(const LockoutState& state, absl::Time now) const;

  /// The state after a successful login or an administrator's Unlock: all clear.
  static LockoutState Reset() { return LockoutState{}; }

  /// Whether logins are refused at `now`.
  static bool IsLocked(const LockoutState& state, absl::Time now) {
    return state.locked_until && now < *state.locked_until;
  }

  /// Failures that still count at `now` (0 once the window since the last one has passed): the
  /// contract's Lockout.failed_attempts.
  int FailuresCounted(const LockoutState& state, absl::Time now) const;

  /// Length of the lock imposed after `previous_locks` earlier locks (the state's lock_count).
  absl::Duration LockDuration(int previous_locks) const;

  /// The policy in use.
  const LoginThrottlePolicy& policy() const { return policy_; }

 private:
  explicit LoginThrottle(LoginThrottlePolicy policy) : policy_(std::move(policy)) {}

  LoginThrottlePolicy policy_;
};

}  // namespace backoffice::users
