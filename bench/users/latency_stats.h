// Latency percentiles and throughput of one benchmark scenario, from every recorded sample.
//
//   std::vector<int64_t> nanos = ...;  // one entry per successful call
//   LatencySummary s = Summarize(std::move(nanos), /*errors=*/0, absl::Seconds(10));
//   // s.requests_per_second, s.p99, ...
#pragma once

#include <cstdint>
#include <vector>

#include "absl/time/time.h"

namespace backoffice::bench {

/// What a scenario measured over its measurement window.
struct LatencySummary {
  /// Successful calls completed in the window.
  int64_t requests = 0;
  /// Failed calls completed in the window (not in the percentiles).
  int64_t errors = 0;
  /// Successful calls per second of the window.
  double requests_per_second = 0;
  absl::Duration mean;
  absl::Duration p50;
  absl::Duration p90;
  absl::Duration p99;
  absl::Duration p999;
  absl::Duration max;
};

/// The `quantile` (0 < quantile <= 1) of sorted samples by the nearest-rank method: the smallest
/// sample with at least `quantile` of all samples at or below it. 0 for no samples.
int64_t NearestRank(const std::vector<int64_t>& sorted, double quantile);

/// Summarizes the latencies (nanoseconds) of the successful calls of a window `elapsed` long.
LatencySummary Summarize(std::vector<int64_t> latencies_ns, int64_t errors, absl::Duration elapsed);

}  // namespace backoffice::bench
