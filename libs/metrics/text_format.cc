#include "libs/metrics/text_format.h"

#include <charconv>
#include <cmath>
#include <cstddef>

namespace backoffice::metrics {
namespace {

constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Length of the valid UTF-8 sequence at text[i] (lead byte >= 0x80), or 0 if it is not one.
size_t Utf8SequenceLength(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const unsigned char lead = byte(0);
  size_t length = 0;
  unsigned char min_second = 0x80;
  unsigned char max_second = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) min_second = 0xA0;  // Overlong.
    if (lead == 0xED) max_second = 0x9F;  // Surrogates.
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) min_second = 0x90;  // Overlong.
    if (lead == 0xF4) max_second = 0x8F;  // Above U+10FFFF.
  } else {
    return 0;
  }
  if (text.size() - i < length || byte(1) < min_second || byte(1) > max_second) {
    return 0;
  }
  for (size_t k = 2; k < length; ++k) {
    if (!IsContinuation(byte(k))) {
      return 0;
    }
  }
  return length;
}

void AppendEscaped(std::string& out, std::string_view text, bool escape_quotes) {
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (static_cast<unsigned char>(c) < 0x80) {
      if (c == '\\') {
        out += "\\\\";
      } else if (c == '\n') {
        out += "\\n";
      } else if (c == '"' && escape_quotes) {
        out += "\\\"";
      } else {
        out += c;
      }
      ++i;
      continue;
    }
    const size_t length = Utf8SequenceLength(text, i);
    if (length == 0) {
      out += kReplacementCharacter;
      ++i;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
}

}  // namespace

bool IsValidMetricName(std::string_view name) {
  if (name.empty() || !(IsAsciiLetter(name[0]) || name[0] == '_' || name[0] == ':')) {
    return false;
  }
  for (char c : name) {
    if (!(IsAsciiLetter(c) || IsAsciiDigit(c) || c == '_' || c == ':')) {
      return false;
    }
  }
  return true;
}

bool IsValidLabelName(std::string_view name) {
  if (name.empty() || !(IsAsciiLetter(name[0]) || name[0] == '_') || name.starts_with("__")) {
    return false;
  }
  for (char c : name) {
    if (!(IsAsciiLetter(c) || IsAsciiDigit(c) || c == '_')) {
      return false;
    }
  }
  return true;
}

void AppendLabelValue(std::string& out, std::string_view value) {
  AppendEscaped(out, value, /*escape_quotes=*/true);
}

void AppendHelp(std::string& out, std::string_view help) {
  AppendEscaped(out, help, /*escape_quotes=*/false);
}

void AppendSampleValue(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else {
    // Plain decimals where they stay short (le="0.0005" rather than le="5e-04"), as other
    // Prometheus clients write them; exponents only for very small or very large values.
    const double magnitude = std::fabs(value);
    const std::chars_format format = value == 0 || (magnitude >= 1e-4 && magnitude < 1e15)
                                         ? std::chars_format::fixed
                                         : std::chars_format::general;
    char buffer[400];
    const std::to_chars_result result =
        std::to_chars(buffer, buffer + sizeof(buffer), value, format);
    out.append(buffer, result.ptr);
  }
}

}  // namespace backoffice::metrics
