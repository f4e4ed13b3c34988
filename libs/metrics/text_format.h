#ifndef BACKOFFICE_LIBS_METRICS_TEXT_FORMAT_H_
#define BACKOFFICE_LIBS_METRICS_TEXT_FORMAT_H_

// Pieces of the Prometheus text exposition format 0.0.4 shared by the renderers.

#include <string>
#include <string_view>

namespace backoffice::metrics {

// Whether `name` matches Prometheus' metric name syntax [a-zA-Z_:][a-zA-Z0-9_:]*.
bool IsValidMetricName(std::string_view name);

// Whether `name` matches the label name syntax [a-zA-Z_][a-zA-Z0-9_]* and does not start with the
// reserved "__".
bool IsValidLabelName(std::string_view name);

// Appends a label value with \, " and newline escaped; bytes that are not valid UTF-8 (which
// Prometheus rejects, failing the whole scrape) become U+FFFD.
void AppendLabelValue(std::string& out, std::string_view value);

// Appends HELP text with \ and newline escaped (and invalid UTF-8 replaced, as above).
void AppendHelp(std::string& out, std::string_view help);

// Appends a sample value: shortest round-trip decimal, or NaN, +Inf, -Inf.
void AppendSampleValue(std::string& out, double value);

}  // namespace backoffice::metrics

#endif  // BACKOFFICE_LIBS_METRICS_TEXT_FORMAT_H_
