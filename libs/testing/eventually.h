// Waiting in tests for something another thread or process does: polls a condition until it
// holds. The limit only stops a broken test from hanging; it is not a timing assertion.
//
//   REQUIRE(testing::Eventually([&] { return listener.listening(); }));
#pragma once

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace backoffice::testing {

/// True as soon as `condition()` is; false if it still is not after `limit`.
template <typename F>
bool Eventually(F condition, absl::Duration limit = absl::Seconds(20)) {
  absl::Time deadline = absl::Now() + limit;
  while (absl::Now() < deadline) {
    if (condition()) return true;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return condition();
}

}  // namespace backoffice::testing
