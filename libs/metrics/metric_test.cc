#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <thread>
#include <vector>

#include "libs/metrics/metrics.h"

namespace backoffice::metrics {
namespace {

TEST_CASE("A counter adds non-negative amounts and ignores the rest") {
  Counter counter;
  CHECK(counter.Value() == 0);
  counter.Increment();
  counter.Increment(2.5);
  counter.Increment(-10);
  counter.Increment(std::numeric_limits<double>::quiet_NaN());
  CHECK(counter.Value() == 3.5);
}

TEST_CASE("A gauge sets, increments and decrements") {
  Gauge gauge;
  gauge.Set(10);
  gauge.Increment();
  gauge.Increment(4);
  gauge.Decrement();
  gauge.Decrement(20);
  CHECK(gauge.Value() == -6);
}

TEST_CASE("A histogram counts values into le buckets, cumulatively") {
  Histogram histogram({0.1, 1, 10});
  histogram.Observe(0.1);  // On the bound: counts in le="0.1".
  histogram.Observe(0.05);
  histogram.Observe(0.5);
  histogram.Observe(10);
  histogram.Observe(11);  // Only +Inf.
  histogram.Observe(-3);  // Below every bound: the first bucket.
  histogram.Observe(std::numeric_limits<double>::quiet_NaN());  // Ignored.

  const Histogram::Snapshot snapshot = histogram.Read();
  CHECK(snapshot.cumulative_counts == std::vector<uint64_t>{3, 4, 5, 6});
  CHECK(snapshot.count == 6);
  CHECK(snapshot.sum == Approx(0.1 + 0.05 + 0.5 + 10 + 11 - 3));
}

TEST_CASE("The default latency buckets run from 0.5 ms to 10 s, increasing") {
  REQUIRE(!kDefaultLatencyBuckets.empty());
  CHECK(kDefaultLatencyBuckets.front() == 0.0005);
  CHECK(kDefaultLatencyBuckets.back() == 10);
  for (size_t i = 1; i < kDefaultLatencyBuckets.size(); ++i) {
    CHECK(kDefaultLatencyBuckets[i] > kDefaultLatencyBuckets[i - 1]);
  }
}

TEST_CASE("Concurrent increments and observations are all counted") {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 20000;
  Counter counter;
  Gauge gauge;
  Histogram histogram({1, 2});
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        counter.Increment();
        gauge.Increment(2);
        gauge.Decrement();
        histogram.Observe(static_cast<double>((t + i) % 3) + 0.5);  // 0.5, 1.5 or 2.5
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  constexpr int kTotal = kThreads * kPerThread;
  CHECK(counter.Value() == kTotal);
  CHECK(gauge.Value() == kTotal);
  const Histogram::Snapshot snapshot = histogram.Read();
  CHECK(snapshot.count == kTotal);
  // Each thread's (t + i) % 3 cycles; count exactly how many of each value were observed.
  uint64_t small = 0, middle = 0, large = 0;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      const int kind = (t + i) % 3;
      (kind == 0 ? small : kind == 1 ? middle : large)++;
    }
  }
  CHECK(snapshot.cumulative_counts == std::vector<uint64_t>{small, small + middle, kTotal});
  CHECK(snapshot.sum == 0.5 * small + 1.5 * middle + 2.5 * large);  // Exact in binary.
}

}  // namespace
}  // namespace backoffice::metrics
