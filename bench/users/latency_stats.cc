#include "bench/users/latency_stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace backoffice::bench {

int64_t NearestRank(const std::vector<int64_t>& sorted, double quantile) {
  if (sorted.empty()) {
    return 0;
  }
  const double rank = std::ceil(quantile * static_cast<double>(sorted.size()));
  const size_t index = static_cast<size_t>(std::clamp(rank, 1.0, double(sorted.size()))) - 1;
  return sorted[index];
}

LatencySummary Summarize(std::vector<int64_t> latencies_ns, int64_t errors,
                         absl::Duration elapsed) {
  std::sort(latencies_ns.begin(), latencies_ns.end());
  LatencySummary summary;
  summary.requests = static_cast<int64_t>(latencies_ns.size());
  summary.errors = errors;
  const double seconds = absl::ToDoubleSeconds(elapsed);
  summary.requests_per_second = seconds > 0 ? static_cast<double>(summary.requests) / seconds : 0;
  if (latencies_ns.empty()) {
    return summary;
  }
  const double total = std::accumulate(latencies_ns.begin(), latencies_ns.end(), 0.0);
  summary.mean = absl::Nanoseconds(total / static_cast<double>(latencies_ns.size()));
  summary.p50 = absl::Nanoseconds(NearestRank(latencies_ns, 0.50));
  summary.p90 = absl::Nanoseconds(NearestRank(latencies_ns, 0.90));
  summary.p99 = absl::Nanoseconds(NearestRank(latencies_ns, 0.99));
  summary.p999 = absl::Nanoseconds(NearestRank(latencies_ns, 0.999));
  summary.max = absl::Nanoseconds(latencies_ns.back());
  return summary;
}

}  // namespace backoffice::bench
