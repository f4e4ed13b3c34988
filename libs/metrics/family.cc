#include "libs/metrics/family.h"

#include <algorithm>
#include <utility>

#include "absl/base/internal/raw_logging.h"
#include "absl/strings/str_cat.h"
#include "libs/metrics/text_format.h"

namespace backoffice::metrics {
namespace {

std::string_view TypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
    case MetricType::kCounterCallback:
      return "counter";
    case MetricType::kGauge:
    case MetricType::kGaugeCallback:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

template <typename A, typename B>
bool LexicographicLess(absl::Span<const A> a, absl::Span<const B> b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                      [](std::string_view x, std::string_view y) { return x < y; });
}

// Appends {a="x",b="y"} (nothing without labels); `extra` adds one more pair such as le="0.5".
void AppendLabels(std::string& out, const std::vector<std::string>& names,
                  const std::vector<std::string>& values, std::string_view extra_name = {},
                  std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) {
    return;
  }
  out += '{';
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) {
      out += ',';
    }
    out += names[i];
    out += "=\"";
    AppendLabelValue(out, values[i]);
    out += '"';
  }
  if (!extra_name.empty()) {
    if (!names.empty()) {
      out += ',';
    }
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out += '"';
  }
  out += '}';
}

void RenderSample(std::string& out, std::string_view name,
                  const std::vector<std::string>& label_names,
                  const std::vector<std::string>& label_values, double value) {
  out += name;
  AppendLabels(out, label_names, label_values);
  out += ' ';
  AppendSampleValue(out, value);
  out += '\n';
}

void RenderMetric(std::string& out, const std::string& name, const std::vector<std::string>& names,
                  const std::vector<std::string>& values, const Counter& counter) {
  RenderSample(out, name, names, values, counter.Value());
}

void RenderMetric(std::string& out, const std::string& name, const std::vector<std::string>& names,
                  const std::vector<std::string>& values, const Gauge& gauge) {
  RenderSample(out, name, names, values, gauge.Value());
}

void RenderMetric(std::string& out, const std::string& name, const std::vector<std::string>& names,
                  const std::vector<std::string>& values, const Histogram& histogram) {
  const Histogram::Snapshot snapshot = histogram.Read();
  const std::vector<double>& bounds = histogram.Bounds();
  std::string bound;
  for (size_t i = 0; i <= bounds.size(); ++i) {
    bound.clear();
    if (i < bounds.size()) {
      AppendSampleValue(bound, bounds[i]);
    } else {
      bound = "+Inf";
    }
    out += name;
    out += "_bucket";
    AppendLabels(out, names, values, "le", bound);
    out += ' ';
    absl::StrAppend(&out, snapshot.cumulative_counts[i]);
    out += '\n';
  }
  out += name;
  out += "_sum";
  AppendLabels(out, names, values);
  out += ' ';
  AppendSampleValue(out, snapshot.sum);
  out += '\n';
  out += name;
  out += "_count";
  AppendLabels(out, names, values);
  out += ' ';
  absl::StrAppend(&out, snapshot.count);
  out += '\n';
}

}  // namespace

FamilyBase::FamilyBase(std::string name, std::string help, MetricType type,
                       std::vector<std::string> label_names)
    : name_(std::move(name)),
      help_(std::move(help)),
      type_(type),
      label_names_(std::move(label_names)) {}

void FamilyBase::RenderHeader(std::string& out) const {
  out += "# HELP ";
  out += name_;
  out += ' ';
  AppendHelp(out, help_);
  out += "\n# TYPE ";
  out += name_;
  out += ' ';
  out += TypeName(type_);
  out += '\n';
}

bool LabelValuesLess::operator()(absl::Span<const std::string> a,
                                 absl::Span<const std::string> b) const {
  return LexicographicLess(a, b);
}

bool LabelValuesLess::operator()(absl::Span<const std::string> a,
                                 absl::Span<const std::string_view> b) const {
  return LexicographicLess(a, b);
}

bool LabelValuesLess::operator()(absl::Span<const std::string_view> a,
                                 absl::Span<const std::string> b) const {
  return LexicographicLess(a, b);
}

template <typename Metric>
Family<Metric>::Family(std::string name, std::string help, MetricType type,
                       std::vector<std::string> label_names,
                       std::function<std::unique_ptr<Metric>()> make)
    : FamilyBase(std::move(name), std::move(help), type, std::move(label_names)),
      make_(std::move(make)) {}

template <typename Metric>
Metric& Family<Metric>::WithLabels(std::initializer_list<std::string_view> values) {
  return WithLabels(absl::Span<const std::string_view>(values.begin(), values.size()));
}

template <typename Metric>
Metric& Family<Metric>::WithLabels(const std::vector<std::string>& values) {
  std::vector<std::string_view> views(values.begin(), values.end());
  return WithLabels(absl::Span<const std::string_view>(views));
}

template <typename Metric>
Metric& Family<Metric>::WithLabels(absl::Span<const std::string_view> values) {
  if (values.size() != label_names().size()) {
    ABSL_RAW_LOG(FATAL, "metrics: %s has %zu labels but WithLabels got %zu values", name().c_str(),
                 label_names().size(), values.size());
  }
  {
    absl::ReaderMutexLock lock(&mutex_);
    if (auto it = children_.find(values); it != children_.end()) {
      return *it->second;
    }
  }
  absl::MutexLock lock(&mutex_);
  auto it = children_.find(values);
  if (it == children_.end()) {
    it = children_.emplace(std::vector<std::string>(values.begin(), values.end()), make_()).first;
  }
  return *it->second;
}

template <typename Metric>
void Family<Metric>::Render(std::string& out) const {
  absl::ReaderMutexLock lock(&mutex_);
  if (children_.empty()) {
    return;
  }
  RenderHeader(out);
  for (const auto& [values, metric] : children_) {
    RenderMetric(out, name(), label_names(), values, *metric);
  }
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

CounterFamily::CounterFamily(std::string name, std::string help,
                             std::vector<std::string> label_names)
    : Family(std::move(name), std::move(help), MetricType::kCounter, std::move(label_names),
             [] { return std::make_unique<Counter>(); }) {}

GaugeFamily::GaugeFamily(std::string name, std::string help, std::vector<std::string> label_names)
    : Family(std::move(name), std::move(help), MetricType::kGauge, std::move(label_names),
             [] { return std::make_unique<Gauge>(); }) {}

HistogramFamily::HistogramFamily(std::string name, std::string help,
                                 std::vector<std::string> label_names, std::vector<double> bounds)
    : Family(std::move(name), std::move(help), MetricType::kHistogram, std::move(label_names),
             [bounds] { return std::make_unique<Histogram>(bounds); }),
      bounds_(std::move(bounds)) {}

GaugeCallbackFamily::GaugeCallbackFamily(std::string name, std::string help,
                                         std::function<double()> read, MetricType type)
    : FamilyBase(std::move(name), std::move(help), type, {}), read_(std::move(read)) {}

void GaugeCallbackFamily::Render(std::string& out) const {
  RenderHeader(out);
  RenderSample(out, name(), {}, {}, read_());
}

}  // namespace backoffice::metrics
