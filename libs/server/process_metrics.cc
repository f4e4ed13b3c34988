#include "libs/server/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "absl/time/clock.h"
#include "libs/metrics/metrics.h"

namespace backoffice::server {
namespace {

// Fields of /proc/self/statm are in pages: size resident shared text lib data dt.
double StatmPages(int field) {
  std::ifstream statm("/proc/self/statm");
  double value = 0;
  for (int i = 0; i <= field && statm >> value; ++i) {
  }
  return value * static_cast<double>(sysconf(_SC_PAGESIZE));
}

double OpenFds() {
  std::error_code error;
  double count = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", error);
       !error && it != std::filesystem::directory_iterator(); it.increment(error)) {
    ++count;
  }
  return count;
}

double MaxFds() {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  return static_cast<double>(limit.rlim_cur);
}

}  // namespace

void RegisterProcessMetrics(metrics::Registry& registry, std::string_view service) {
  const double start_time = absl::ToUnixMicros(absl::Now()) / 1e6;
  registry.GaugeCallback("process_start_time_seconds",
                         "Start time of the process since the Unix epoch in seconds.",
                         [start_time] { return start_time; });
  registry.GaugeCallback("process_resident_memory_bytes", "Resident memory size in bytes.",
                         [] { return StatmPages(1); });
  registry.GaugeCallback("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                         [] { return StatmPages(0); });
  registry.GaugeCallback("process_open_fds", "Number of open file descriptors.", OpenFds);
  registry.GaugeCallback("process_max_fds", "Maximum number of open file descriptors.", MaxFds);
  registry.Gauge("backoffice_build_info", "Always 1; labels name the running service.", {"service"})
      .WithLabels({std::string(service)})
      .Set(1);
}

}  // namespace backoffice::server
