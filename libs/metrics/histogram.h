#ifndef BACKOFFICE_LIBS_METRICS_HISTOGRAM_H_
#define BACKOFFICE_LIBS_METRICS_HISTOGRAM_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace backoffice::metrics {

// Bucket upper bounds for request latencies in seconds, 0.5 ms to 10 s (+Inf is implicit).
inline const std::vector<double> kDefaultLatencyBuckets = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

// Counts observations into buckets by upper bound (Prometheus "le": value <= bound), plus their
// sum. Observe is lock-free: a binary search and two relaxed atomic adds.
class Histogram final {
 public:
  // A consistent-enough copy of the state: buckets are cumulative, and count equals the last one.
  struct Snapshot {
    std::vector<uint64_t> cumulative_counts;  // One per bound, then one for +Inf.
    double sum = 0;
    uint64_t count = 0;
  };

  // `bounds` must be finite and strictly increasing (Registry::Histogram checks this).
  explicit Histogram(std::vector<double> bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  // Records one value. NaN is ignored.
  void Observe(double value);

  // The finite bucket upper bounds.
  const std::vector<double>& Bounds() const { return bounds_; }

  // Reads the counters; observations racing with it land in this snapshot or the next one.
  Snapshot Read() const;

 private:
  const std::vector<double> bounds_;
  // Non-cumulative: counts_[i] holds observations in (bounds_[i-1], bounds_[i]]; the last +Inf.
  const std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  std::atomic<double> sum_{0};
};

}  // namespace backoffice::metrics

#endif  // BACKOFFICE_LIBS_METRICS_HISTOGRAM_H_
