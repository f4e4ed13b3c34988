#include "bench/users/load_runner.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <latch>
#include <thread>
#include <utility>
#include <vector>

namespace backoffice::bench {
namespace {

using Clock = std::chrono::steady_clock;

// What one thread recorded.
struct ThreadRecord {
  std::vector<int64_t> latencies_ns;
  int64_t errors = 0;
  absl::Status first_error;
  // When the thread stopped calling.
  Clock::time_point finished;
};

}  // namespace

LoadResult RunClosedLoop(const LoadOptions& options, const CallFactory& make_call) {
  const int threads = options.threads < 1 ? 1 : options.threads;
  std::vector<ThreadRecord> records(threads);
  // Every thread builds its call, then all start together; the last one in fixes the clock.
  Clock::time_point measure_from;
  Clock::time_point stop_at;
  std::latch ready(threads);
  std::latch go(1);
  std::atomic<int64_t> calls_made{0};
  std::vector<std::thread> workers;
  workers.reserve(threads);
  std::vector<CallFn> calls(threads);
  for (int i = 0; i < threads; ++i) {
    workers.emplace_back([&, i] {
      calls[i] = make_call(i);
      ready.count_down();
      go.wait();
      ThreadRecord& record = records[i];
      record.latencies_ns.reserve(1 << 14);
      while (true) {
        const Clock::time_point start = Clock::now();
        if (start >= stop_at ||
            (options.max_calls > 0 &&
             calls_made.fetch_add(1, std::memory_order_relaxed) >= options.max_calls)) {
          record.finished = Clock::now();
          break;
        }
        absl::Status status = calls[i]();
        const Clock::time_point end = Clock::now();
        if (end < measure_from || end > stop_at) {
          continue;
        }
        if (status.ok()) {
          record.latencies_ns.push_back(
              std::chrono::duration_cast<std::chrono::nanoseconds>(end - start).count());
        } else {
          if (record.errors++ == 0) {
            record.first_error = std::move(status);
          }
        }
      }
    });
  }
  ready.wait();
  const Clock::time_point now = Clock::now();
  measure_from = now + absl::ToChronoNanoseconds(options.warmup);
  stop_at = measure_from + absl::ToChronoNanoseconds(options.duration);
  go.count_down();  // publishes measure_from and stop_at to the workers
  for (std::thread& worker : workers) {
    worker.join();
  }

  std::vector<int64_t> all;
  int64_t errors = 0;
  absl::Status first_error;
  Clock::time_point last_finished = measure_from;
  for (ThreadRecord& record : records) {
    last_finished = std::max(last_finished, record.finished);
    all.insert(all.end(), record.latencies_ns.begin(), record.latencies_ns.end());
    errors += record.errors;
    if (first_error.ok() && !record.first_error.ok()) {
      first_error = record.first_error;
    }
  }
  const absl::Duration measured = absl::FromChrono(std::min(last_finished, stop_at) - measure_from);
  return {.summary = Summarize(std::move(all), errors, measured),
          .first_error = std::move(first_error),
          .measured = measured};
}

}  // namespace backoffice::bench
