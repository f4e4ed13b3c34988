#include "services/users/credentials/login_throttle.h"

#include <algorithm>

#include "absl/status/status.h"

namespace backoffice::users {
namespace {

// Keeps lock_count from overflowing; far beyond where the lock length stops growing.
constexpr int kMaxLockCount = 1000000;

absl::Duration Pick(const std::vector<absl::Duration>& values, int index) {
  const size_t last = values.size() - 1;
  return values[std::min(static_cast<size_t>(std::max(index, 0)), last)];
}

}  // namespace

absl::StatusOr<LoginThrottle> LoginThrottle::Create(LoginThrottlePolicy policy) {
  if (policy.max_failures < 1) {
    return absl::InvalidArgumentError("login throttle: max_failures must be at least 1");
  }
  if (policy.failure_window <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("login throttle: failure_window must be positive");
  }
  if (policy.lock_durations.empty() ||
      std::any_of(policy.lock_durations.begin(), policy.lock_durations.end(), [](absl::Duration d) {
        return d <= absl::ZeroDuration() || d == absl::InfiniteDuration();
      })) {
    return absl::InvalidArgumentError(
        "login throttle: lock_durations must be non-empty, positive and finite (locks always "
        "expire)");
  }
  if (policy.failure_delays.empty() ||
      std::any_of(policy.failure_delays.begin(), policy.failure_delays.end(), [](absl::Duration d) {
        return d < absl::ZeroDuration() || d == absl::InfiniteDuration();
      })) {
    return absl::InvalidArgumentError(
        "login throttle: failure_delays must be non-empty, not negative and finite");
  }
  return LoginThrottle(std::move(policy));
}

int LoginThrottle::FailuresCounted(const LockoutState& state, absl::Time now) const {
  if (state.failed_attempts <= 0 || !state.last_failure_time ||
      now - *state.last_failure_time > policy_.failure_window) {
    return 0;
  }
  return state.failed_attempts;
}

absl::Duration LoginThrottle::LockDuration(int previous_locks) const {
  return Pick(policy_.lock_durations, previous_locks);
}

LoginAttemptDecision LoginThrottle::BeforeAttempt(const LockoutState& state, absl::Time now) const {
  LoginAttemptDecision decision;
  if (IsLocked(state, now)) {
    decision.allowed = false;
    decision.retry_after = *state.locked_until - now;
    return decision;
  }
  decision.delay = Pick(policy_.failure_delays, FailuresCounted(state, now));
  return decision;
}

LockoutState LoginThrottle::AfterFailure(const LockoutState& state, absl::Time now) const {
  if (IsLocked(state, now)) {
    return state;
  }
  LockoutState next = state;
  next.failed_attempts = FailuresCounted(state, now) + 1;
  next.last_failure_time = now;
  if (next.failed_attempts >= policy_.max_failures) {
    next.locked_until = now + LockDuration(state.lock_count);
    next.lock_count = state.lock_count < kMaxLockCount ? state.lock_count + 1 : kMaxLockCount;
    next.failed_attempts = 0;
  }
  return next;
}

}  // namespace backoffice::users
