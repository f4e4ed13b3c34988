#ifndef BACKOFFICE_LIBS_METRICS_GAUGE_H_
#define BACKOFFICE_LIBS_METRICS_GAUGE_H_

#include <atomic>

namespace backoffice::metrics {

// A value that goes up and down (connections open, queue depth). Lock-free; safe from any thread.
class Gauge final {
 public:
  Gauge() = default;
  Gauge(const Gauge&) = delete;
  Gauge& operator=(const Gauge&) = delete;

  // Replaces the value.
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }

  // Adds `amount` (which may be negative).
  void Increment(double amount = 1) { value_.fetch_add(amount, std::memory_order_relaxed); }

  // Subtracts `amount`.
  void Decrement(double amount = 1) { value_.fetch_sub(amount, std::memory_order_relaxed); }

  // The current value.
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

}  // namespace backoffice::metrics

#endif  // BACKOFFICE_LIBS_METRICS_GAUGE_H_
