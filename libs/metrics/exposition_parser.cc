#include "libs/metrics/exposition_parser.h"

#include <cmath>
#include <cstdlib>
#include <limits>

namespace backoffice::metrics::testing {
namespace {

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(separator, start);
    if (end == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
}

bool IsNameChar(char c, bool first) {
  const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
  return letter || (!first && c >= '0' && c <= '9');
}

std::optional<std::string> Unescape(std::string_view text, bool allow_quote) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    if (++i == text.size()) {
      return std::nullopt;
    }
    switch (text[i]) {
      case '\\':
        out += '\\';
        break;
      case 'n':
        out += '\n';
        break;
      case '"':
        if (!allow_quote) return std::nullopt;
        out += '"';
        break;
      default:
        return std::nullopt;
    }
  }
  return out;
}

std::optional<double> ParseValue(std::string_view text) {
  if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (text == "+Inf") return std::numeric_limits<double>::infinity();
  if (text == "-Inf") return -std::numeric_limits<double>::infinity();
  const std::string copy(text);
  char* end = nullptr;
  const double value = std::strtod(copy.c_str(), &end);
  if (copy.empty() || end != copy.c_str() + copy.size()) {
    return std::nullopt;
  }
  return value;
}

// Parses `name{a="x",b="y"} value` into `sample`.
bool ParseSample(std::string_view line, Sample& sample) {
  size_t i = 0;
  while (i < line.size() && IsNameChar(line[i], i == 0)) ++i;
  if (i == 0) return false;
  sample.name = std::string(line.substr(0, i));
  if (i < line.size() && line[i] == '{') {
    ++i;
    while (i < line.size() && line[i] != '}') {
      const size_t name_start = i;
      while (i < line.size() && IsNameChar(line[i], i == name_start) && line[i] != ':') ++i;
      if (i == name_start || i + 1 >= line.size() || line[i] != '=' || line[i + 1] != '"') {
        return false;
      }
      const std::string label(line.substr(name_start, i - name_start));
      i += 2;
      const size_t value_start = i;
      while (i < line.size() && line[i] != '"') {
        i += line[i] == '\\' ? 2 : 1;
      }
      if (i >= line.size()) return false;
      std::optional<std::string> value =
          Unescape(line.substr(value_start, i - value_start), /*allow_quote=*/true);
      if (!value || !sample.labels.emplace(label, *value).second) return false;
      ++i;  // Closing quote.
      if (i < line.size() && line[i] == ',') ++i;
    }
    if (i >= line.size()) return false;
    ++i;  // '}'
  }
  if (i >= line.size() || line[i] != ' ') return false;
  std::vector<std::string_view> rest = Split(line.substr(i + 1), ' ');
  if (rest.empty() || rest.size() > 2) return false;  // Value and an optional timestamp.
  std::optional<double> value = ParseValue(rest[0]);
  if (!value) return false;
  sample.value = *value;
  return true;
}

}  // namespace

std::optional<double> Exposition::Find(std::string_view name, const Labels& labels) const {
  for (const Sample& sample : samples) {
    if (sample.name == name && sample.labels == labels) {
      return sample.value;
    }
  }
  return std::nullopt;
}

absl::StatusOr<Exposition> ParseExposition(std::string_view text) {
  Exposition exposition;
  if (!text.empty() && text.back() != '\n') {
    return absl::InvalidArgumentError("exposition does not end with a newline");
  }
  int number = 0;
  for (std::string_view line : Split(text, '\n')) {
    ++number;
    const auto error = [&](std::string_view what) {
      return absl::InvalidArgumentError("line " + std::to_string(number) + ": " +
                                        std::string(what));
    };
    if (line.empty()) {
      continue;
    }
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) {
      const std::string_view body = line.substr(7);
      const size_t space = body.find(' ');
      if (space == std::string_view::npos || space == 0) return error("bad comment");
      const std::string name(body.substr(0, space));
      if (line[2] == 'H') {
        std::optional<std::string> help = Unescape(body.substr(space + 1), false);
        if (!help || !exposition.help.emplace(name, *help).second) return error("bad HELP");
      } else {
        if (!exposition.type.emplace(name, std::string(body.substr(space + 1))).second) {
          return error("TYPE given twice");
        }
        exposition.family_order.push_back(name);
      }
      continue;
    }
    if (line.starts_with("#")) {
      continue;
    }
    Sample sample;
    if (!ParseSample(line, sample)) {
      return error("bad sample: " + std::string(line));
    }
    exposition.samples.push_back(std::move(sample));
  }
  return exposition;
}

}  // namespace backoffice::metrics::testing
