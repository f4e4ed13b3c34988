// Prometheus metrics of a process's permission cache and watch, so an SRE can see whether
// permissions are cached (the watch is live) and how often the roles service is asked:
//
//   <prefix>_permission_cache_hits_total, _misses_total   lookups answered from / not from cache
//   <prefix>_permission_cache_entries                     users cached now
//   <prefix>_permission_watch_live                        1 while the watch stream is live
//   <prefix>_permission_watch_streams_total               streams opened (reconnects)
//   <prefix>_permission_watch_changes_total               changes applied
//
//   RegisterPermissionCacheMetrics(metrics::Registry::Default(), "bff", cache);
//   RegisterPermissionWatchMetrics(metrics::Registry::Default(), "bff", watcher.get());
#pragma once

#include <string>

#include "libs/authz/change_watcher.h"
#include "libs/authz/invalidating_cache.h"
#include "libs/authz/permission_watcher.h"
#include "libs/metrics/registry.h"

namespace backoffice::authz {

/// `<name>_hits_total`, `<name>_misses_total` and `<name>_entries` of any InvalidatingCache
/// holding `what` ("users' permissions", "user records"). `cache` must outlive the registry's
/// use. Once per process and name.
template <typename Value>
void RegisterInvalidatingCacheMetrics(metrics::Registry& registry, const std::string& name,
                                      const std::string& what,
                                      const InvalidatingCache<Value>& cache) {
  registry.CounterCallback(name + "_hits_total", "Lookups of " + what + " answered from the cache.",
                           [&cache] { return static_cast<double>(cache.hits()); });
  registry.CounterCallback(
      name + "_misses_total",
      "Lookups of " + what + " the cache could not answer (asked of the owning service).",
      [&cache] { return static_cast<double>(cache.misses()); });
  registry.GaugeCallback(name + "_entries", "Entries of " + what + " cached.",
                         [&cache] { return static_cast<double>(cache.size()); });
}

/// `<prefix>_permission_cache_*` (above). Once per process and prefix.
template <typename Value>
void RegisterPermissionCacheMetrics(metrics::Registry& registry, const std::string& prefix,
                                    const InvalidatingCache<Value>& cache) {
  RegisterInvalidatingCacheMetrics(registry, prefix + "_permission_cache", "users' permissions",
                                   cache);
}

/// `<name>_live`, `<name>_streams_total`, `<name>_changes_total` of a ChangeWatcher reading
/// `rpc`. `watcher` (null: the process runs without a watch) must outlive the registry's use.
inline void RegisterChangeWatchMetrics(metrics::Registry& registry, const std::string& name,
                                       const std::string& rpc, const ChangeWatcher* watcher) {
  registry.GaugeCallback(name + "_live",
                         "1 while the " + rpc + " stream is live (caching on), else 0.",
                         [watcher] { return watcher != nullptr && watcher->live() ? 1.0 : 0.0; });
  registry.CounterCallback(name + "_streams_total", rpc + " streams opened.", [watcher] {
    return watcher != nullptr ? static_cast<double>(watcher->streams()) : 0.0;
  });
  registry.CounterCallback(
      name + "_changes_total", rpc + " changes applied to the cache.",
      [watcher] { return watcher != nullptr ? static_cast<double>(watcher->changes()) : 0.0; });
}

/// `<prefix>_permission_watch_*` (above). Once per process and prefix.
inline void RegisterPermissionWatchMetrics(metrics::Registry& registry, const std::string& prefix,
                                           const PermissionWatcher* watcher) {
  RegisterChangeWatchMetrics(registry, prefix + "_permission_watch", "WatchPermissionChanges",
                             watcher);
}

}  // namespace backoffice::authz
