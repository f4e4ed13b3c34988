#include "bench/users/load_runner.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <set>

#include "absl/time/clock.h"

namespace backoffice::bench {
namespace {

TEST_CASE("every thread gets its own call and successes and failures are told apart") {
  std::mutex mutex;
  std::set<int> made_for;
  std::atomic<int64_t> calls{0};
  LoadResult result = RunClosedLoop(
      {.threads = 4, .warmup = absl::Milliseconds(20), .duration = absl::Milliseconds(100)},
      [&](int thread) -> CallFn {
        {
          std::lock_guard lock(mutex);
          made_for.insert(thread);
        }
        // Thread 3 always fails; the others always succeed.
        return [thread, &calls, n = 0]() mutable -> absl::Status {
          ++calls;
          ++n;
          if (thread == 3) return absl::UnavailableError("down");
          return absl::OkStatus();
        };
      });
  CHECK(made_for == std::set<int>{0, 1, 2, 3});
  CHECK(result.summary.requests > 0);
  CHECK(result.summary.errors > 0);
  CHECK(result.first_error.code() == absl::StatusCode::kUnavailable);
  // Calls finishing in the warm-up are made but not counted.
  CHECK(result.summary.requests + result.summary.errors < calls.load());
  CHECK(result.measured == absl::Milliseconds(100));
  CHECK(result.summary.requests_per_second ==
        Approx(static_cast<double>(result.summary.requests) / 0.1));
}

TEST_CASE("no failures leave first_error OK") {
  LoadResult result = RunClosedLoop(
      {.threads = 2, .warmup = absl::ZeroDuration(), .duration = absl::Milliseconds(50)},
      [](int) -> CallFn { return [] { return absl::OkStatus(); }; });
  CHECK(result.first_error.ok());
  CHECK(result.summary.errors == 0);
  CHECK(result.summary.requests > 0);
  CHECK(result.summary.p50 <= result.summary.p99);
  CHECK(result.summary.p99 <= result.summary.max);
}

TEST_CASE("max_calls ends the run early and the rate is per the shortened window") {
  std::atomic<int64_t> calls{0};
  LoadResult result = RunClosedLoop({.threads = 3,
                                     .warmup = absl::Milliseconds(10),
                                     .duration = absl::Seconds(30),
                                     .max_calls = 300},
                                    [&](int) -> CallFn {
                                      return [&calls] {
                                        ++calls;
                                        absl::SleepFor(absl::Milliseconds(1));
                                        return absl::OkStatus();
                                      };
                                    });
  CHECK(calls.load() == 300);
  CHECK(result.summary.requests > 0);
  CHECK(result.summary.requests <= 300);
  CHECK(result.measured > absl::ZeroDuration());
  CHECK(result.measured < absl::Seconds(30));
  CHECK(result.summary.requests_per_second == Approx(static_cast<double>(result.summary.requests) /
                                                     absl::ToDoubleSeconds(result.measured)));
}

TEST_CASE("calls running out in the warm-up leave an empty window") {
  LoadResult result = RunClosedLoop(
      {.threads = 2, .warmup = absl::Seconds(30), .duration = absl::Seconds(30), .max_calls = 10},
      [](int) -> CallFn { return [] { return absl::OkStatus(); }; });
  CHECK(result.measured == absl::ZeroDuration());
  CHECK(result.summary.requests == 0);
  CHECK(result.summary.requests_per_second == 0);
}

}  // namespace
}  // namespace backoffice::bench
