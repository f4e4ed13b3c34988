#include "libs/metrics/registry.h"

#include <cmath>
#include <set>
#include <utility>

#include "absl/base/internal/raw_logging.h"
#include "absl/strings/str_join.h"
#include "libs/metrics/text_format.h"

namespace backoffice::metrics {
namespace {

void CheckNames(const std::string& name, const std::vector<std::string>& labels, MetricType type) {
  if (!IsValidMetricName(name)) {
    ABSL_RAW_LOG(FATAL, "metrics: invalid metric name \"%s\"", name.c_str());
  }
  std::set<std::string> seen;
  for (const std::string& label : labels) {
    if (!IsValidLabelName(label)) {
      ABSL_RAW_LOG(FATAL, "metrics: %s: invalid label name \"%s\"", name.c_str(), label.c_str());
    }
    if (type == MetricType::kHistogram && label == "le") {
      ABSL_RAW_LOG(FATAL, "metrics: %s: a histogram may not use the label \"le\"", name.c_str());
    }
    if (!seen.insert(label).second) {
      ABSL_RAW_LOG(FATAL, "metrics: %s: label \"%s\" given twice", name.c_str(), label.c_str());
    }
  }
}

std::vector<double> CheckBuckets(const std::string& name, std::vector<double> buckets) {
  if (!buckets.empty() && std::isinf(buckets.back()) && buckets.back() > 0) {
    buckets.pop_back();
  }
  for (size_t i = 0; i < buckets.size(); ++i) {
    if (!std::isfinite(buckets[i]) || (i > 0 && buckets[i] <= buckets[i - 1])) {
      ABSL_RAW_LOG(FATAL, "metrics: %s: buckets must be finite and strictly increasing",
                   name.c_str());
    }
  }
  return buckets;
}

}  // namespace

Registry& Registry::Default() {
  static Registry* const registry = new Registry();
  return *registry;
}

FamilyBase* Registry::FindCompatible(const std::string& name, MetricType type,
                                     const std::vector<std::string>& labels,
                                     const std::vector<double>* buckets) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    return nullptr;
  }
  FamilyBase* family = it->second.get();
  if (family->type() != type || family->label_names() != labels) {
    ABSL_RAW_LOG(FATAL,
                 "metrics: %s registered twice with different types or labels (labels: [%s] "
                 "then [%s])",
                 name.c_str(), absl::StrJoin(family->label_names(), ",").c_str(),
                 absl::StrJoin(labels, ",").c_str());
  }
  if (buckets != nullptr && static_cast<HistogramFamily*>(family)->bounds() != *buckets) {
    ABSL_RAW_LOG(FATAL, "metrics: %s registered twice with different buckets", name.c_str());
  }
  return family;
}

CounterFamily& Registry::Counter(std::string name, std::string help,
                                 std::vector<std::string> labels) {
  CheckNames(name, labels, MetricType::kCounter);
  absl::MutexLock lock(&mutex_);
  if (FamilyBase* existing = FindCompatible(name, MetricType::kCounter, labels, nullptr)) {
    return *static_cast<CounterFamily*>(existing);
  }
  auto family = std::make_unique<CounterFamily>(name, std::move(help), std::move(labels));
  CounterFamily& result = *family;
  families_.emplace(std::move(name), std::move(family));
  if (result.label_names().empty()) {
    result.WithLabels({});  // A family without labels renders its single sample from the start.
  }
  return result;
}

GaugeFamily& Registry::Gauge(std::string name, std::string help, std::vector<std::string> labels) {
  CheckNames(name, labels, MetricType::kGauge);
  absl::MutexLock lock(&mutex_);
  if (FamilyBase* existing = FindCompatible(name, MetricType::kGauge, labels, nullptr)) {
    return *static_cast<GaugeFamily*>(existing);
  }
  auto family = std::make_unique<GaugeFamily>(name, std::move(help), std::move(labels));
  GaugeFamily& result = *family;
  families_.emplace(std::move(name), std::move(family));
  if (result.label_names().empty()) {
    result.WithLabels({});
  }
  return result;
}

HistogramFamily& Registry::Histogram(std::string name, std::string help,
                                     std::vector<std::string> labels, std::vector<double> buckets) {
  CheckNames(name, labels, MetricType::kHistogram);
  buckets = CheckBuckets(name, std::move(buckets));
  absl::MutexLock lock(&mutex_);
  if (FamilyBase* existing = FindCompatible(name, MetricType::kHistogram, labels, &buckets)) {
    return *static_cast<HistogramFamily*>(existing);
  }
  auto family = std::make_unique<HistogramFamily>(name, std::move(help), std::move(labels),
                                                  std::move(buckets));
  HistogramFamily& result = *family;
  families_.emplace(std::move(name), std::move(family));
  if (result.label_names().empty()) {
    result.WithLabels({});
  }
  return result;
}

void Registry::GaugeCallback(std::string name, std::string help, std::function<double()> read) {
  AddCallback(std::move(name), std::move(help), std::move(read), MetricType::kGaugeCallback);
}

void Registry::CounterCallback(std::string name, std::string help, std::function<double()> read) {
  AddCallback(std::move(name), std::move(help), std::move(read), MetricType::kCounterCallback);
}

void Registry::AddCallback(std::string name, std::string help, std::function<double()> read,
                           MetricType type) {
  CheckNames(name, {}, type);
  if (!read) {
    ABSL_RAW_LOG(FATAL, "metrics: %s: a callback metric needs a function", name.c_str());
  }
  absl::MutexLock lock(&mutex_);
  if (families_.contains(name)) {
    ABSL_RAW_LOG(FATAL, "metrics: %s registered twice", name.c_str());
  }
  auto family = std::make_unique<GaugeCallbackFamily>(name, std::move(help), std::move(read), type);
  families_.emplace(std::move(name), std::move(family));
}

std::string Registry::Render() const {
  std::vector<const FamilyBase*> families;
  {
    absl::MutexLock lock(&mutex_);
    families.reserve(families_.size());
    for (const auto& [name, family] : families_) {
      families.push_back(family.get());  // Families live as long as the registry.
    }
  }
  std::string out;
  for (const FamilyBase* family : families) {
    family->Render(out);
  }
  return out;
}

}  // namespace backoffice::metrics
