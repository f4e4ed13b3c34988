#pragma once

#include <string_view>

namespace backoffice::metrics {
class Registry;
}

namespace backoffice::server {

/// Registers the standard Prometheus process metrics (process_start_time_seconds,
/// process_resident_memory_bytes, process_virtual_memory_bytes,
/// process_open_fds, process_max_fds; read from /proc when scraped) and
/// `backoffice_build_info{service="..."} 1`, so a fresh binary's /metrics is never empty.
void RegisterProcessMetrics(metrics::Registry& registry, std::string_view service);

}  // namespace backoffice::server
