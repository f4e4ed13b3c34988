#ifndef BACKOFFICE_LIBS_METRICS_FAMILY_H_
#define BACKOFFICE_LIBS_METRICS_FAMILY_H_

#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "libs/metrics/counter.h"
#include "libs/metrics/gauge.h"
#include "libs/metrics/histogram.h"

namespace backoffice::metrics {

// What a family holds; the TYPE line and the conflict check on re-registration use it.
enum class MetricType { kCounter, kGauge, kHistogram, kGaugeCallback, kCounterCallback };

// One metric name with its HELP, TYPE and label names, as the registry keeps it.
class FamilyBase {
 public:
  virtual ~FamilyBase() = default;
  FamilyBase(const FamilyBase&) = delete;
  FamilyBase& operator=(const FamilyBase&) = delete;

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  MetricType type() const { return type_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

  // Appends this family's HELP, TYPE and sample lines; nothing when it has no samples yet.
  virtual void Render(std::string& out) const = 0;

 protected:
  FamilyBase(std::string name, std::string help, MetricType type,
             std::vector<std::string> label_names);

  // Appends "# HELP" and "# TYPE" lines.
  void RenderHeader(std::string& out) const;

 private:
  const std::string name_;
  const std::string help_;
  const MetricType type_;
  const std::vector<std::string> label_names_;
};

// Orders label value tuples, and finds them without copying the caller's strings.
struct LabelValuesLess {
  using is_transparent = void;
  bool operator()(absl::Span<const std::string> a, absl::Span<const std::string> b) const;
  bool operator()(absl::Span<const std::string> a, absl::Span<const std::string_view> b) const;
  bool operator()(absl::Span<const std::string_view> a, absl::Span<const std::string> b) const;
};

// The metrics of one family, one per distinct tuple of label values.
template <typename Metric>
class Family : public FamilyBase {
 public:
  // Returns the metric for these label values (in the order of the family's label names),
  // creating it on first use. The reference stays valid for the registry's life: look it up once
  // and keep it on hot paths. A wrong number of values is a programming error and aborts.
  //
  //   Counter& ok = registry.Counter("http_requests_total", "...", {"method", "code"})
  //                     .WithLabels({"GET", "200"});
  //   ok.Increment();
  Metric& WithLabels(std::initializer_list<std::string_view> values);
  Metric& WithLabels(absl::Span<const std::string_view> values);
  Metric& WithLabels(const std::vector<std::string>& values);

  void Render(std::string& out) const override;

 protected:
  Family(std::string name, std::string help, MetricType type, std::vector<std::string> label_names,
         std::function<std::unique_ptr<Metric>()> make);

 private:
  const std::function<std::unique_ptr<Metric>()> make_;
  mutable absl::Mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<Metric>, LabelValuesLess> children_
      ABSL_GUARDED_BY(mutex_);
};

extern template class Family<Counter>;
extern template class Family<Gauge>;
extern template class Family<Histogram>;

// Counters by label values. Get one from Registry::Counter.
class CounterFamily final : public Family<Counter> {
 public:
  CounterFamily(std::string name, std::string help, std::vector<std::string> label_names);
};

// Gauges by label values. Get one from Registry::Gauge.
class GaugeFamily final : public Family<Gauge> {
 public:
  GaugeFamily(std::string name, std::string help, std::vector<std::string> label_names);
};

// Histograms by label values, all with the same buckets. Get one from Registry::Histogram.
class HistogramFamily final : public Family<Histogram> {
 public:
  HistogramFamily(std::string name, std::string help, std::vector<std::string> label_names,
                  std::vector<double> bounds);

  // The finite bucket upper bounds.
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  const std::vector<double> bounds_;
};

// A gauge (or, with kCounterCallback, a counter) without labels whose value a function reads at
// render time.
class GaugeCallbackFamily final : public FamilyBase {
 public:
  GaugeCallbackFamily(std::string name, std::string help, std::function<double()> read,
                      MetricType type = MetricType::kGaugeCallback);
  void Render(std::string& out) const override;

 private:
  const std::function<double()> read_;
};

}  // namespace backoffice::metrics

#endif  // BACKOFFICE_LIBS_METRICS_FAMILY_H_
