#include "libs/metrics/registry.h"

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "libs/metrics/exposition_parser.h"
#include "libs/metrics/metrics.h"

namespace backoffice::metrics {
namespace {

using testing::Exposition;
using testing::ParseExposition;

constexpr char kPromtool[] = "/usr/bin/promtool";

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

struct PromtoolResult {
  int exit_code = -1;
  std::string output;
};

// Runs `promtool check metrics` (parse and lint) on `text`.
PromtoolResult CheckWithPromtool(const std::string& text) {
  REQUIRE(::access(kPromtool, X_OK) == 0);  // Debian package `prometheus`; a missing one fails.
  const std::string input = TempPath("exposition.txt");
  const std::string output = TempPath("promtool.out");
  {
    std::ofstream out(input, std::ios::binary | std::ios::trunc);
    out << text;
  }
  const std::string command =
      std::string(kPromtool) + " check metrics < " + input + " > " + output + " 2>&1";
  const int status = std::system(command.c_str());
  REQUIRE(status != -1);
  REQUIRE(WIFEXITED(status));
  PromtoolResult result;
  result.exit_code = WEXITSTATUS(status);
  std::ifstream in(output);
  std::stringstream buffer;
  buffer << in.rdbuf();
  result.output = buffer.str();
  return result;
}

Exposition Parse(const std::string& text) {
  absl::StatusOr<Exposition> parsed = ParseExposition(text);
  INFO(text);
  INFO(parsed.status().ToString());
  REQUIRE(parsed.ok());
  return *std::move(parsed);
}

struct ChildResult {
  bool aborted = false;
  std::string err;
};

// Runs `body` in a forked child with stderr captured; it should die by abort().
ChildResult RunInChild(const std::function<void()>& body) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    ::dup2(fds[1], STDERR_FILENO);
    // Catch2's handler would report the abort as a failure of this test case; let it just kill.
    std::signal(SIGABRT, SIG_DFL);
    body();
    ::_exit(0);
  }
  ::close(fds[1]);
  ChildResult result;
  char buffer[512];
  ssize_t n;
  while ((n = ::read(fds[0], buffer, sizeof(buffer))) > 0) {
    result.err.append(buffer, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  result.aborted = WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
  return result;
}

void ExpectAbort(const std::function<void()>& body, const std::string& message) {
  ChildResult child = RunInChild(body);
  INFO(child.err);
  CHECK(child.aborted);
  CHECK(child.err.find(message) != std::string::npos);
}

TEST_CASE("Registering a name again returns the same family") {
  Registry registry;
  CounterFamily& first = registry.Counter("jobs_total", "Jobs.", {"queue"});
  CounterFamily& again = registry.Counter("jobs_total", "Jobs (other help).", {"queue"});
  CHECK(&first == &again);
  HistogramFamily& h1 = registry.Histogram("job_seconds", "Job time.", {}, {1, 2});
  HistogramFamily& h2 = registry.Histogram("job_seconds", "Job time.", {}, {1, 2, INFINITY});
  CHECK(&h1 == &h2);
  CHECK(&registry.Gauge("depth", "Depth.") == &registry.Gauge("depth", "Depth."));
}

TEST_CASE("WithLabels returns addresses that stay valid as the family grows") {
  Registry registry;
  CounterFamily& family = registry.Counter("hits_total", "Hits.", {"path", "code"});
  Counter& first = family.WithLabels({"/a", "200"});
  first.Increment(5);
  for (int i = 0; i < 1000; ++i) {
    family.WithLabels({"/p" + std::to_string(i), "200"}).Increment();
  }
  const std::vector<std::string> owned = {"/a", "200"};
  CHECK(&family.WithLabels(owned) == &first);
  CHECK(&family.WithLabels({"/a", "200"}) == &first);
  CHECK(first.Value() == 5);
  CHECK(&family.WithLabels({"/a", "500"}) != &first);
}

TEST_CASE("Render writes sorted families that parse back to the recorded values") {
  Registry registry;
  registry.Gauge("zz_last", "Last by name.").WithLabels({}).Set(-1.5);
  CounterFamily& requests = registry.Counter(
      "http_requests_total", "HTTP requests.\nSecond line with \\ backslash.", {"method", "code"});
  requests.WithLabels({"POST", "201"}).Increment(2);
  requests.WithLabels({"GET", "200"}).Increment(3);
  registry.Counter("aa_first_total", "First by name.");  // Renders 0 before any increment.
  registry.Gauge("unused_labeled", "No samples yet.", {"x"});
  double pool_size = 4;
  registry.GaugeCallback("db_pool_connections", "Open connections.", [&] { return pool_size; });
  double hits = 10;
  registry.CounterCallback("cache_hits_total", "Hits counted elsewhere.", [&] { return hits; });
  HistogramFamily& latency =
      registry.Histogram("http_request_duration_seconds", "Latency.", {"route"}, {0.01, 0.1, 1});
  Histogram& users = latency.WithLabels({"/api/users"});
  for (double value : {0.005, 0.01, 0.05, 0.5, 0.7, 3.0}) {
    users.Observe(value);
  }
  pool_size = 7;  // Read at render time.
  hits = 12;

  const std::string text = registry.Render();
  const Exposition exposition = Parse(text);
  CHECK(exposition.family_order == std::vector<std::string>{"aa_first_total", "cache_hits_total",
                                                            "db_pool_connections",
                                                            "http_request_duration_seconds",
                                                            "http_requests_total", "zz_last"});
  CHECK(exposition.type.at("http_requests_total") == "counter");
  CHECK(exposition.type.at("db_pool_connections") == "gauge");
  CHECK(exposition.type.at("cache_hits_total") == "counter");
  CHECK(absl::StrContains(text, "\ncache_hits_total 12\n"));
  CHECK(exposition.type.at("http_request_duration_seconds") == "histogram");
  CHECK(exposition.help.at("http_requests_total") ==
        "HTTP requests.\nSecond line with \\ backslash.");
  CHECK(exposition.Find("aa_first_total") == 0.0);
  CHECK(exposition.Find("zz_last") == -1.5);
  CHECK(exposition.Find("db_pool_connections") == 7.0);
  CHECK(exposition.Find("http_requests_total", {{"method", "GET"}, {"code", "200"}}) == 3.0);
  CHECK(exposition.Find("http_requests_total", {{"method", "POST"}, {"code", "201"}}) == 2.0);
  CHECK(!exposition.type.contains("unused_labeled"));

  const testing::Labels route = {{"route", "/api/users"}};
  const auto bucket = [&](const std::string& le) {
    testing::Labels labels = route;
    labels["le"] = le;
    return exposition.Find("http_request_duration_seconds_bucket", labels);
  };
  CHECK(bucket("0.01") == 2.0);
  CHECK(bucket("0.1") == 3.0);
  CHECK(bucket("1") == 5.0);
  CHECK(bucket("+Inf") == 6.0);
  CHECK(exposition.Find("http_request_duration_seconds_count", route) == 6.0);
  CHECK(exposition.Find("http_request_duration_seconds_sum", route) ==
        Approx(0.005 + 0.01 + 0.05 + 0.5 + 0.7 + 3.0));

  // Buckets are cumulative in the order written, and +Inf equals _count.
  double previous = -1;
  int buckets = 0;
  for (const testing::Sample& sample : exposition.samples) {
    if (sample.name == "http_request_duration_seconds_bucket") {
      CHECK(sample.value >= previous);
      previous = sample.value;
      ++buckets;
    }
  }
  CHECK(buckets == 4);
  CHECK(previous == exposition.Find("http_request_duration_seconds_count", route));

  const PromtoolResult promtool = CheckWithPromtool(text);
  INFO(text);
  INFO(promtool.output);
  CHECK(promtool.exit_code == 0);
  CHECK(promtool.output.empty());
}

TEST_CASE("Label values with escapes and bad UTF-8 round-trip through the parsers") {
  Registry registry;
  GaugeFamily& family = registry.Gauge("odd_labels", "Odd label values.", {"value"});
  const std::string tricky = "back\\slash \"quoted\"\nnewline {braces}, comma=\xc3\xa9";
  family.WithLabels({tricky}).Set(1);
  family.WithLabels({"bad \xff utf8"}).Set(2);
  family.WithLabels({""}).Set(3);

  const std::string text = registry.Render();
  const Exposition exposition = Parse(text);
  CHECK(exposition.Find("odd_labels", {{"value", tricky}}) == 1.0);
  CHECK(exposition.Find("odd_labels", {{"value", "bad \xef\xbf\xbd utf8"}}) == 2.0);
  CHECK(exposition.Find("odd_labels", {{"value", ""}}) == 3.0);

  const PromtoolResult promtool = CheckWithPromtool(text);
  INFO(text);
  INFO(promtool.output);
  CHECK(promtool.exit_code == 0);
}

TEST_CASE("promtool rejects broken exposition text, so the check above can fail") {
  const PromtoolResult broken = CheckWithPromtool("odd{value=\"unterminated} 1\n");
  CHECK(broken.exit_code != 0);
  const PromtoolResult lint = CheckWithPromtool("# HELP c x\n# TYPE c counter\nc 1\n");
  CHECK(lint.exit_code != 0);  // Counters must end in _total.
  CHECK(!ParseExposition("odd{value=\"unterminated} 1\n").ok());
}

TEST_CASE("Concurrent lookups, increments, observations and renders lose nothing") {
  Registry registry;
  constexpr int kThreads = 6;
  constexpr int kPerThread = 5000;
  std::atomic<bool> done{false};
  std::thread renderer([&] {
    while (!done.load()) {
      const std::string text = registry.Render();
      REQUIRE(ParseExposition(text).ok());
    }
  });
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([&registry, t] {
      CounterFamily& requests = registry.Counter("work_total", "Work.", {"worker", "kind"});
      HistogramFamily& latency =
          registry.Histogram("work_seconds", "Work time.", {"kind"}, kDefaultLatencyBuckets);
      Counter& mine = requests.WithLabels({std::to_string(t), "own"});
      for (int i = 0; i < kPerThread; ++i) {
        mine.Increment();
        requests.WithLabels({"shared", "all"}).Increment();
        latency.WithLabels({i % 2 == 0 ? "even" : "odd"}).Observe(0.001 * (i % 7));
      }
    });
  }
  for (std::thread& worker : workers) {
    worker.join();
  }
  done.store(true);
  renderer.join();

  const Exposition exposition = Parse(registry.Render());
  for (int t = 0; t < kThreads; ++t) {
    CHECK(exposition.Find("work_total", {{"worker", std::to_string(t)}, {"kind", "own"}}) ==
          kPerThread);
  }
  CHECK(exposition.Find("work_total", {{"worker", "shared"}, {"kind", "all"}}) ==
        kThreads * kPerThread);
  CHECK(exposition.Find("work_seconds_count", {{"kind", "even"}}) == kThreads * kPerThread / 2);
  CHECK(exposition.Find("work_seconds_count", {{"kind", "odd"}}) == kThreads * kPerThread / 2);
  CHECK(exposition.Find("work_seconds_bucket", {{"kind", "odd"}, {"le", "+Inf"}}) ==
        kThreads * kPerThread / 2);
}

TEST_CASE("Default is one registry for the process") {
  CHECK(&Registry::Default() == &Registry::Default());
}

TEST_CASE("Programming errors abort with a message naming the metric") {
  ExpectAbort(
      [] {
        Registry registry;
        registry.Counter("dup_total", "x", {"a"});
        registry.Gauge("dup_total", "x", {"a"});
      },
      "dup_total registered twice");
  ExpectAbort(
      [] {
        Registry registry;
        registry.Counter("dup_total", "x", {"a"});
        registry.Counter("dup_total", "x", {"b"});
      },
      "dup_total registered twice");
  ExpectAbort(
      [] {
        Registry registry;
        registry.Histogram("h_seconds", "x", {}, {1, 2});
        registry.Histogram("h_seconds", "x", {}, {1, 3});
      },
      "h_seconds registered twice with different buckets");
  ExpectAbort(
      [] {
        Registry registry;
        registry.GaugeCallback("cb", "x", [] { return 1.0; });
        registry.Gauge("cb", "x");
      },
      "cb registered twice");
  ExpectAbort(
      [] {
        Registry registry;
        registry.Counter("labels_total", "x", {"a", "b"}).WithLabels({"only-one"});
      },
      "labels_total has 2 labels but WithLabels got 1 values");
  ExpectAbort([] { Registry().Counter("bad-name", "x"); }, "invalid metric name \"bad-name\"");
  ExpectAbort([] { Registry().Counter("ok_total", "x", {"__reserved"}); },
              "invalid label name \"__reserved\"");
  ExpectAbort([] { Registry().Histogram("h", "x", {"le"}, {1}); }, "may not use the label \"le\"");
  ExpectAbort([] { Registry().Histogram("h", "x", {}, {2, 1}); }, "strictly increasing");
  ExpectAbort([] { Registry().Gauge("g", "x", {"a", "a"}); }, "label \"a\" given twice");
}

}  // namespace
}  // namespace backoffice::metrics
