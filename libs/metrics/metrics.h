#ifndef BACKOFFICE_LIBS_METRICS_METRICS_H_
#define BACKOFFICE_LIBS_METRICS_METRICS_H_

// Prometheus metrics: include this header for the whole library.

#include <string_view>

#include "libs/metrics/counter.h"
#include "libs/metrics/family.h"
#include "libs/metrics/gauge.h"
#include "libs/metrics/histogram.h"
#include "libs/metrics/registry.h"

namespace backoffice::metrics {

// The Content-Type of Registry::Render's output.
constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace backoffice::metrics

#endif  // BACKOFFICE_LIBS_METRICS_METRICS_H_
