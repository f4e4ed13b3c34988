#ifndef BACKOFFICE_LIBS_METRICS_EXPOSITION_PARSER_H_
#define BACKOFFICE_LIBS_METRICS_EXPOSITION_PARSER_H_

// A strict parser of the Prometheus text format, for tests: it reads back what Registry::Render
// wrote so tests can check values rather than compare strings.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace backoffice::metrics::testing {

using Labels = std::map<std::string, std::string>;

// One sample line: name{labels} value.
struct Sample {
  std::string name;
  Labels labels;
  double value = 0;
};

// A parsed exposition.
struct Exposition {
  std::vector<Sample> samples;
  std::map<std::string, std::string> help;  // Unescaped.
  std::map<std::string, std::string> type;
  std::vector<std::string> family_order;  // Names in the order their TYPE lines appear.

  // The value of the sample with exactly this name and these labels, if any.
  std::optional<double> Find(std::string_view name, const Labels& labels = {}) const;
};

// Parses `text`; any malformed line is INVALID_ARGUMENT naming the line number.
absl::StatusOr<Exposition> ParseExposition(std::string_view text);

}  // namespace backoffice::metrics::testing

#endif  // BACKOFFICE_LIBS_METRICS_EXPOSITION_PARSER_H_
