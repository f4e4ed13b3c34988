#include "services/users/credentials/login_throttle.h"

#include <catch2/catch.hpp>

namespace backoffice::users {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1700000000);

// Fails `count` times, `gap` apart, starting at `*now`; advances `*now` past the last failure.
LockoutState FailTimes(const LoginThrottle& throttle, LockoutState state, absl::Time* now,
                       int count, absl::Duration gap = absl::Seconds(1)) {
  for (int i = 0; i < count; ++i) {
    REQUIRE(throttle.BeforeAttempt(state, *now).allowed);
    state = throttle.AfterFailure(state, *now);
    *now += gap;
  }
  return state;
}

TEST_CASE("A fresh account may log in at once") {
  LoginThrottle throttle;
  LoginAttemptDecision decision = throttle.BeforeAttempt(LockoutState{}, kStart);
  CHECK(decision.allowed);
  CHECK(decision.delay == absl::ZeroDuration());
  CHECK_FALSE(LoginThrottle::IsLocked(LockoutState{}, kStart));
}

TEST_CASE("Failures below the limit add a growing delay before the answer") {
  LoginThrottle throttle;
  LockoutState state;
  const absl::Duration expected[] = {absl::ZeroDuration(), absl::ZeroDuration(),
                                     absl::Milliseconds(250), absl::Milliseconds(500),
                                     absl::Seconds(1)};
  absl::Time now = kStart;
  for (int failures = 0; failures < 5; ++failures) {
    CAPTURE(failures);
    LoginAttemptDecision decision = throttle.BeforeAttempt(state, now);
    REQUIRE(decision.allowed);
    CHECK(decision.delay == expected[failures]);
    CHECK(throttle.FailuresCounted(state, now) == failures);
    state = throttle.AfterFailure(state, now);
    now += absl::Seconds(10);
  }
}

TEST_CASE("The fifth failure locks for 15 minutes; the lock then expires by itself") {
  LoginThrottle throttle;
  absl::Time now = kStart;
  LockoutState state = FailTimes(throttle, {}, &now, 4);
  CHECK_FALSE(LoginThrottle::IsLocked(state, now));
  const absl::Time fifth = now;
  state = throttle.AfterFailure(state, fifth);
  CHECK(state.locked_until == fifth + absl::Minutes(15));
  CHECK(state.lock_count == 1);
  CHECK(state.failed_attempts == 0);
  CHECK(state.last_failure_time == fifth);

  LoginAttemptDecision refused = throttle.BeforeAttempt(state, fifth + absl::Minutes(10));
  CHECK_FALSE(refused.allowed);
  CHECK(refused.retry_after == absl::Minutes(5));
  CHECK(LoginThrottle::IsLocked(state, fifth + absl::Minutes(15) - absl::Nanoseconds(1)));

  LoginAttemptDecision after = throttle.BeforeAttempt(state, fifth + absl::Minutes(15));
  CHECK(after.allowed);
  CHECK(after.delay == absl::ZeroDuration());
  CHECK_FALSE(LoginThrottle::IsLocked(state, fifth + absl::Minutes(15)));
}

TEST_CASE("Attempts during a lock are refused and do not extend it") {
  LoginThrottle throttle;
  absl::Time now = kStart;
  LockoutState locked = FailTimes(throttle, {}, &now, 5);
  REQUIRE(LoginThrottle::IsLocked(locked, now));
  LockoutState same = throttle.AfterFailure(locked, now + absl::Minutes(14));
  CHECK(same == locked);
}

TEST_CASE("Each further lock doubles, capped at 24 hours, and every lock expires") {
  LoginThrottle throttle;
  const absl::Duration expected[] = {
      absl::Minutes(15), absl::Minutes(30), absl::Hours(1),  absl::Hours(2),  absl::Hours(4),
      absl::Hours(8),    absl::Hours(16),   absl::Hours(24), absl::Hours(24), absl::Hours(24)};
  LockoutState state;
  absl::Time now = kStart;
  for (int lock = 0; lock < 10; ++lock) {
    CAPTURE(lock);
    state = FailTimes(throttle, state, &now, 5);
    const absl::Time fifth = now - absl::Seconds(1);
    REQUIRE(state.locked_until.has_value());
    CHECK(*state.locked_until - fifth == expected[lock]);
    CHECK(state.lock_count == lock + 1);
    CHECK_FALSE(throttle.BeforeAttempt(state, now).allowed);
    now = *state.locked_until;  // wait the lock out
    CHECK(throttle.BeforeAttempt(state, now).allowed);
  }
}

TEST_CASE("Failures spaced further apart than the window do not add up") {
  LoginThrottle throttle;
  absl::Time now = kStart;
  LockoutState state = FailTimes(throttle, {}, &now, 20, absl::Minutes(15) + absl::Seconds(1));
  CHECK_FALSE(state.locked_until.has_value());
  CHECK(state.failed_attempts == 1);

  // Spaced exactly at the window they still count together.
  now = kStart;
  state = FailTimes(throttle, {}, &now, 5, absl::Minutes(15));
  CHECK(state.locked_until.has_value());
}

TEST_CASE("The counted failures expire with the window, and so does the delay") {
  LoginThrottle throttle;
  absl::Time now = kStart;
  LockoutState state = FailTimes(throttle, {}, &now, 4);
  CHECK(throttle.BeforeAttempt(state, now).delay == absl::Seconds(1));
  const absl::Time later = *state.last_failure_time + absl::Minutes(16);
  CHECK(throttle.FailuresCounted(state, later) == 0);
  CHECK(throttle.BeforeAttempt(state, later).delay == absl::ZeroDuration());
  CHECK(throttle.AfterFailure(state, later).failed_attempts == 1);
}

TEST_CASE("A success or an administrator's Unlock resets everything, lock included") {
  LoginThrottle throttle;
  absl::Time now = kStart;
  LockoutState state = FailTimes(throttle, {}, &now, 4);
  REQUIRE(state.failed_attempts == 4);
  state = LoginThrottle::Reset();
  CHECK(state == LockoutState{});
  CHECK(throttle.BeforeAttempt(state, now).delay == absl::ZeroDuration());

  // Two locks, so the next would last an hour; Unlock clears the lock and the doubling.
  LockoutState locked = FailTimes(throttle, {}, &now, 5);
  now = *locked.locked_until;
  locked = FailTimes(throttle, locked, &now, 5);
  REQUIRE(locked.lock_count == 2);
  REQUIRE(LoginThrottle::IsLocked(locked, now));
  LockoutState unlocked = LoginThrottle::Reset();
  CHECK(throttle.BeforeAttempt(unlocked, now).allowed);
  LockoutState relocked = FailTimes(throttle, unlocked, &now, 5);
  CHECK(*relocked.locked_until - (now - absl::Seconds(1)) == absl::Minutes(15));
}

TEST_CASE("A custom policy (1, 5, 15 minutes, capped at 1 hour)") {
  absl::StatusOr<LoginThrottle> throttle = LoginThrottle::Create(
      {.max_failures = 3,
       .failure_window = absl::Minutes(10),
       .lock_durations = {absl::Minutes(1), absl::Minutes(5), absl::Minutes(15), absl::Hours(1)},
       .failure_delays = {absl::ZeroDuration(), absl::Milliseconds(100)}});
  REQUIRE(throttle.ok());
  const absl::Duration expected[] = {absl::Minutes(1), absl::Minutes(5), absl::Minutes(15),
                                     absl::Hours(1), absl::Hours(1)};
  LockoutState state;
  absl::Time now = kStart;
  for (absl::Duration length : expected) {
    state = FailTimes(*throttle, state, &now, 3);
    CHECK(*state.locked_until - (now - absl::Seconds(1)) == length);
    now = *state.locked_until;
  }
  CHECK(throttle->BeforeAttempt(throttle->AfterFailure(state, now), now).delay ==
        absl::Milliseconds(100));
  CHECK(
      throttle->BeforeAttempt(throttle->AfterFailure(throttle->AfterFailure(state, now), now), now)
          .delay == absl::Milliseconds(100));
}

TEST_CASE("Create refuses a policy whose locks would not expire or that cannot work") {
  CHECK_FALSE(LoginThrottle::Create({.max_failures = 0}).ok());
  CHECK_FALSE(LoginThrottle::Create({.failure_window = absl::ZeroDuration()}).ok());
  CHECK_FALSE(LoginThrottle::Create({.lock_durations = {}}).ok());
  CHECK_FALSE(
      LoginThrottle::Create({.lock_durations = {absl::Minutes(1), absl::ZeroDuration()}}).ok());
  CHECK_FALSE(
      LoginThrottle::Create({.lock_durations = {absl::Minutes(1), absl::InfiniteDuration()}}).ok());
  CHECK_FALSE(LoginThrottle::Create({.failure_delays = {}}).ok());
  CHECK_FALSE(LoginThrottle::Create({.failure_delays = {-absl::Seconds(1)}}).ok());
  CHECK(LoginThrottle::Create({}).ok());
}

}  // namespace
}  // namespace backoffice::users
