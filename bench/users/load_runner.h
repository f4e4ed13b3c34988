// A closed-loop load generator: N threads, each issuing its next call as soon as the previous one
// returns, for a warm-up and then a measured window.
//
//   LoadResult result = RunClosedLoop(
//       {.threads = 32, .warmup = absl::Seconds(2), .duration = absl::Seconds(10)},
//       [&](int thread) -> CallFn {
//         return [stub = stubs[thread % stubs.size()]] { return CallOnce(*stub); };
//       });
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "bench/users/latency_stats.h"

namespace backoffice::bench {

/// How long and how wide to drive a scenario.
struct LoadOptions {
  /// Concurrent callers, one thread each.
  int threads = 32;
  /// Calls finishing before this are not counted (connections, caches, plan caches warm up).
  absl::Duration warmup = absl::Seconds(2);
  /// The measured window after the warm-up.
  absl::Duration duration = absl::Seconds(10);
  /// When above 0, the most calls made in all, warm-up included: the run ends once they are
  /// done, cutting the measured window short (for scenarios that use something up, such as
  /// users whose permissions are not cached yet).
  int64_t max_calls = 0;
};

/// One call of the scenario; OK when the response was what the scenario expects.
using CallFn = std::function<absl::Status()>;

/// Makes the call of thread `thread` (0-based); runs on that thread before the clock starts, so
/// each thread can own its state (random generator, stub, request).
using CallFactory = std::function<CallFn(int thread)>;

/// The summary and, when calls failed, the first failure seen.
struct LoadResult {
  LatencySummary summary;
  absl::Status first_error;
  /// How long the measured window lasted: options.duration, or less when max_calls ran out
  /// (zero when they ran out in the warm-up). summary's rates are per this window.
  absl::Duration measured;
};

/// Runs the calls in a closed loop with options.threads threads and summarizes the calls that
/// completed inside the measured window.
LoadResult RunClosedLoop(const LoadOptions& options, const CallFactory& make_call);

}  // namespace backoffice::bench
