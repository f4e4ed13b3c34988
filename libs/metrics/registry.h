#ifndef BACKOFFICE_LIBS_METRICS_REGISTRY_H_
#define BACKOFFICE_LIBS_METRICS_REGISTRY_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "libs/metrics/family.h"

namespace backoffice::metrics {

// The metric families of a process, rendered for /metrics. Thread-safe.
//
//   static CounterFamily& requests = Registry::Default().Counter(
//       "bff_http_requests_total", "HTTP requests served.", {"route", "method", "code"});
//   requests.WithLabels({"/api/users", "GET", "200"}).Increment();
//
// Registering the same name again with the same type and labels (and buckets) returns the same
// family. Anything else is a programming error that aborts with a message (ABSL_RAW_LOG(FATAL)):
// an invalid metric or label name, the same name with another type, labels or buckets, unsorted
// or non-finite buckets, the label "le" on a histogram.
class Registry final {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // The registry of the process, served on /metrics; never destroyed.
  static Registry& Default();

  // A family of counters (name conventionally ends in _total).
  CounterFamily& Counter(std::string name, std::string help, std::vector<std::string> labels = {});

  // A family of gauges.
  GaugeFamily& Gauge(std::string name, std::string help, std::vector<std::string> labels = {});

  // A family of histograms with these finite, strictly increasing bucket bounds (+Inf is added;
  // a trailing +Inf in `buckets` is accepted and dropped). See kDefaultLatencyBuckets.
  HistogramFamily& Histogram(std::string name, std::string help, std::vector<std::string> labels,
                             std::vector<double> buckets);

  // A gauge without labels whose value `read` returns when Render runs (pool sizes, queue
  // depths). `read` runs without the registry's lock, on the rendering thread. A name may have
  // only one callback.
  void GaugeCallback(std::string name, std::string help, std::function<double()> read);
  /// The same for a counter that something else counts (e.g. an atomic of a cache): `read` must
  /// never decrease. The name should end in `_total`.
  void CounterCallback(std::string name, std::string help, std::function<double()> read);

  // All families in the Prometheus text exposition format 0.0.4, sorted by name; label sets
  // within a family sorted by value. Families with labels appear once they have a sample.
  std::string Render() const;

 private:
  // Returns the existing family `name` after checking it matches, or nullptr.
  void AddCallback(std::string name, std::string help, std::function<double()> read,
                   MetricType type);
  FamilyBase* FindCompatible(const std::string& name, MetricType type,
                             const std::vector<std::string>& labels,
                             const std::vector<double>* buckets)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  mutable absl::Mutex mutex_;
  std::map<std::string, std::unique_ptr<FamilyBase>> families_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace backoffice::metrics

#endif  // BACKOFFICE_LIBS_METRICS_REGISTRY_H_
