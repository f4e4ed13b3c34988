#ifndef BACKOFFICE_LIBS_METRICS_COUNTER_H_
#define BACKOFFICE_LIBS_METRICS_COUNTER_H_

#include <atomic>

namespace backoffice::metrics {

// A value that only goes up (requests served, bytes sent). Lock-free; safe from any thread.
class Counter final {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  // Adds `amount`. A negative or NaN amount would break the counter's contract and is ignored.
  void Increment(double amount = 1) {
    if (amount >= 0) {
      value_.fetch_add(amount, std::memory_order_relaxed);
    }
  }

  // The current total.
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

}  // namespace backoffice::metrics

#endif  // BACKOFFICE_LIBS_METRICS_COUNTER_H_
