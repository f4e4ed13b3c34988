#include "bench/users/latency_stats.h"

#include <catch2/catch.hpp>

namespace backoffice::bench {
namespace {

TEST_CASE("NearestRank picks the smallest sample covering the quantile") {
  std::vector<int64_t> sorted;
  for (int64_t i = 1; i <= 100; ++i) sorted.push_back(i * 10);
  CHECK(NearestRank(sorted, 0.50) == 500);
  CHECK(NearestRank(sorted, 0.90) == 900);
  CHECK(NearestRank(sorted, 0.99) == 990);
  CHECK(NearestRank(sorted, 0.999) == 1000);
  CHECK(NearestRank(sorted, 1.0) == 1000);
  CHECK(NearestRank(sorted, 0.001) == 10);
  CHECK(NearestRank({7}, 0.99) == 7);
  CHECK(NearestRank({}, 0.5) == 0);
  // 3 samples: p50 is the 2nd (ceil(1.5) = 2), p90 the 3rd.
  CHECK(NearestRank({1, 2, 3}, 0.5) == 2);
  CHECK(NearestRank({1, 2, 3}, 0.9) == 3);
}

TEST_CASE("Summarize sorts, counts and divides by the window") {
  std::vector<int64_t> samples = {4'000'000, 1'000'000, 3'000'000, 2'000'000};
  LatencySummary s = Summarize(samples, /*errors=*/3, absl::Seconds(2));
  CHECK(s.requests == 4);
  CHECK(s.errors == 3);
  CHECK(s.requests_per_second == Approx(2.0));
  CHECK(s.p50 == absl::Milliseconds(2));
  CHECK(s.p90 == absl::Milliseconds(4));
  CHECK(s.max == absl::Milliseconds(4));
  CHECK(s.p999 == absl::Milliseconds(4));
  CHECK(s.mean == absl::Microseconds(2500));
}

TEST_CASE("p99.9 needs a thousand samples to differ from max") {
  std::vector<int64_t> samples;
  for (int64_t i = 1; i <= 2000; ++i) samples.push_back(i);
  LatencySummary s = Summarize(samples, 0, absl::Seconds(1));
  CHECK(absl::ToInt64Nanoseconds(s.p99) == 1980);
  CHECK(absl::ToInt64Nanoseconds(s.p999) == 1998);
  CHECK(absl::ToInt64Nanoseconds(s.max) == 2000);
}

TEST_CASE("Summarize of no samples is all zero but keeps the errors") {
  LatencySummary s = Summarize({}, 5, absl::Seconds(1));
  CHECK(s.requests == 0);
  CHECK(s.errors == 5);
  CHECK(s.requests_per_second == 0);
  CHECK(s.p99 == absl::ZeroDuration());
}

}  // namespace
}  // namespace backoffice::bench
