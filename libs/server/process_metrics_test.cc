#include "libs/server/process_metrics.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <regex>
#include <string>

#include "libs/metrics/metrics.h"

namespace backoffice::server {
namespace {

double SampleValue(const std::string& text, const std::string& name) {
  std::smatch match;
  REQUIRE(std::regex_search(text, match, std::regex("\n" + name + " ([0-9.e+]+)\n")));
  return std::stod(match[1]);
}

TEST_CASE("process metrics report this process from /proc") {
  metrics::Registry registry;
  RegisterProcessMetrics(registry, "users");
  std::string text = "\n" + registry.Render();

  CHECK(SampleValue(text, "process_resident_memory_bytes") > 1024 * 1024);
  CHECK(SampleValue(text, "process_virtual_memory_bytes") >=
        SampleValue(text, "process_resident_memory_bytes"));
  CHECK(SampleValue(text, "process_open_fds") >= 3);  // stdin, stdout, stderr at least
  CHECK(SampleValue(text, "process_max_fds") >= SampleValue(text, "process_open_fds"));
  CHECK(SampleValue(text, "process_start_time_seconds") > 1.7e9);
  CHECK_THAT(text, Catch::Contains("backoffice_build_info{service=\"users\"} 1"));
}

}  // namespace
}  // namespace backoffice::server
