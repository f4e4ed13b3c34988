#include "services/audit/store/canonical_json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "boost/json/basic_parser_impl.hpp"
#include "boost/json/value_stack.hpp"

namespace backoffice::audit {
namespace {

absl::string_view Absl(std::string_view text) { return {text.data(), text.size()}; }

void WriteString(std::string_view text, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += "\\u00";
          out.push_back(kHex[(c >> 4) & 0xF]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

absl::Status WriteNumber(double number, std::string_view field, std::string& out) {
  if (!std::isfinite(number)) {
    return absl::InvalidArgumentError(
        absl::StrCat(Absl(field), ": numbers must be finite (no NaN or infinity)"));
  }
  if (number == 0) number = 0;  // -0 -> 0
  char buffer[400];             // the longest plain double is about 330 characters
  std::to_chars_result result =
      std::to_chars(buffer, buffer + sizeof(buffer), number, std::chars_format::fixed);
  out.append(buffer, result.ptr);
  return absl::OkStatus();
}

absl::Status Write(const boost::json::value& value, std::string_view field, std::string& out) {
  switch (value.kind()) {
    case boost::json::kind::null:
      out += "null";
      return absl::OkStatus();
    case boost::json::kind::bool_:
      out += value.get_bool() ? "true" : "false";
      return absl::OkStatus();
    case boost::json::kind::int64:
      return WriteNumber(static_cast<double>(value.get_int64()), field, out);
    case boost::json::kind::uint64:
      return WriteNumber(static_cast<double>(value.get_uint64()), field, out);
    case boost::json::kind::double_:
      return WriteNumber(value.get_double(), field, out);
    case boost::json::kind::string:
      WriteString(std::string_view(value.get_string()), out);
      return absl::OkStatus();
    case boost::json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const boost::json::value& element : value.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        if (absl::Status status = Write(element, field, out); !status.ok()) return status;
      }
      out.push_back(']');
      return absl::OkStatus();
    }
    case boost::json::kind::object: {
      const boost::json::object& object = value.get_object();
      std::vector<const boost::json::key_value_pair*> members;
      members.reserve(object.size());
      for (const boost::json::key_value_pair& member : object) members.push_back(&member);
      // std::string_view compares with char_traits<char>, which compares as unsigned char:
      // bytewise UTF-8 order.
      std::sort(members.begin(), members.end(), [](const auto* a, const auto* b) {
        return std::string_view(a->key()) < std::string_view(b->key());
      });
      out.push_back('{');
      bool first = true;
      for (const boost::json::key_value_pair* member : members) {
        if (!first) out.push_back(',');
        first = false;
        WriteString(std::string_view(member->key()), out);
        out.push_back(':');
        if (absl::Status status = Write(member->value(), field, out); !status.ok()) return status;
      }
      out.push_back('}');
      return absl::OkStatus();
    }
  }
  return absl::InternalError("unknown JSON kind");
}

enum class NumberError { kNone, kOverflow };

// A boost::json::basic_parser handler that builds the same tree as boost::json::parse, except
// that every number is read from its source text by std::from_chars (correctly rounded to the
// nearest double, ties to even) instead of by Boost.JSON 1.81's own conversion, which is not
// correctly rounded and whose result depends on how much input follows the number. Integers are
// read as doubles too: canonical JSON numbers are doubles (canonical_json.h).

// Whether the JSON number `text` (grammar already checked) has a magnitude of at least 1, from
// its digits and exponent: the place of its first non-zero digit plus the exponent is >= 0.
bool MagnitudeAtLeastOne(std::string_view text) {
  size_t i = text.empty() || text[0] != '-' ? 0 : 1;
  const size_t integer_start = i;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  const std::string_view integer = text.substr(integer_start, i - integer_start);
  std::string_view fraction;
  if (i < text.size() && text[i] == '.') {
    const size_t fraction_start = ++i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    fraction = text.substr(fraction_start, i - fraction_start);
  }
  int64_t exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    const bool negative = i < text.size() && text[i] == '-';
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
    for (; i < text.size(); ++i) {
      // Saturates far beyond any digit count a document could hold.
      exponent = std::min<int64_t>(exponent * 10 + (text[i] - '0'), int64_t{1} << 40);
    }
    if (negative) exponent = -exponent;
  }
  int64_t place;
  if (size_t first = integer.find_first_not_of('0'); first != std::string_view::npos) {
    place = static_cast<int64_t>(integer.size() - first) - 1;
  } else if (size_t first = fraction.find_first_not_of('0'); first != std::string_view::npos) {
    place = -static_cast<int64_t>(first) - 1;
  } else {
    return false;  // zero
  }
  return place + exponent >= 0;
}

struct ExactNumberHandler {
  static constexpr std::size_t max_object_size = boost::json::object::max_size();
  static constexpr std::size_t max_array_size = boost::json::array::max_size();
  static constexpr std::size_t max_key_size = boost::json::string::max_size();
  static constexpr std::size_t max_string_size = boost::json::string::max_size();

  // `temp`: where the stack starts before it needs the heap, as boost::json::parse does.
  ExactNumberHandler(unsigned char* temp, std::size_t size) : stack({}, temp, size) {}

  boost::json::value_stack stack;
  std::string number_text;  // the number's leading parts when its text arrived in pieces
  NumberError number_error = NumberError::kNone;

  bool on_document_begin(boost::system::error_code&) { return true; }
  bool on_document_end(boost::system::error_code&) { return true; }
  bool on_object_begin(boost::system::error_code&) { return true; }
  bool on_object_end(std::size_t n, boost::system::error_code&) {
    stack.push_object(n);
    return true;
  }
  bool on_array_begin(boost::system::error_code&) { return true; }
  bool on_array_end(std::size_t n, boost::system::error_code&) {
    stack.push_array(n);
    return true;
  }
  bool on_key_part(boost::json::string_view s, std::size_t, boost::system::error_code&) {
    stack.push_chars(s);
    return true;
  }
  bool on_key(boost::json::string_view s, std::size_t, boost::system::error_code&) {
    stack.push_key(s);
    return true;
  }
  bool on_string_part(boost::json::string_view s, std::size_t, boost::system::error_code&) {
    stack.push_chars(s);
    return true;
  }
  bool on_string(boost::json::string_view s, std::size_t, boost::system::error_code&) {
    stack.push_string(s);
    return true;
  }
  bool on_number_part(boost::json::string_view s, boost::system::error_code&) {
    number_text.append(s.data(), s.size());
    return true;
  }
  bool on_int64(std::int64_t, boost::json::string_view s, boost::system::error_code& ec) {
    return OnNumber(s, /*boost_value=*/0, ec);
  }
  bool on_uint64(std::uint64_t, boost::json::string_view s, boost::system::error_code& ec) {
    return OnNumber(s, /*boost_value=*/0, ec);
  }
  bool on_double(double d, boost::json::string_view s, boost::system::error_code& ec) {
    return OnNumber(s, d, ec);
  }
  bool on_bool(bool b, boost::system::error_code&) {
    stack.push_bool(b);
    return true;
  }
  bool on_null(boost::system::error_code&) {
    stack.push_null();
    return true;
  }
  bool on_comment_part(boost::json::string_view, boost::system::error_code&) { return true; }
  bool on_comment(boost::json::string_view, boost::system::error_code&) { return true; }

  // `last` is the number's text (or its last part); the parser has checked its JSON grammar.
  // A value out of a double's range is refused when its magnitude is at least 1 (as an infinity
  // always was) and is 0 otherwise, decided from the text alone (MagnitudeAtLeastOne).
  bool OnNumber(boost::json::string_view last, double /*boost_value*/,
                boost::system::error_code& ec) {
    std::string_view text(last.data(), last.size());
    if (!number_text.empty()) {
      number_text.append(text);
      text = number_text;
    }
    double number = 0;
    const std::from_chars_result result =
        std::from_chars(text.data(), text.data() + text.size(), number);
    number_text.clear();
    if (result.ec == std::errc::result_out_of_range) {
      if (MagnitudeAtLeastOne(text)) {
        number_error = NumberError::kOverflow;
        ec = boost::json::error::exponent_overflow;
        return false;
      }
      number = 0;  // nearer to 0 than to the smallest subnormal: rounds to (-)0, written 0
    } else if (result.ec != std::errc() || result.ptr != text.data() + text.size()) {
      ec = boost::json::error::syntax;  // not expected for text the parser accepted as a number
      return false;
    }
    stack.push_double(number);
    return true;
  }
};

using ExactNumberParser = boost::json::basic_parser<ExactNumberHandler>;

}  // namespace

void AppendCanonicalJsonString(std::string_view text, std::string& out) { WriteString(text, out); }

absl::Status AppendCanonicalJsonNumber(double number, std::string_view field, std::string& out) {
  return WriteNumber(number, field, out);
}

absl::StatusOr<std::string> CanonicalJson(const boost::json::value& value, std::string_view field) {
  std::string out;
  if (absl::Status status = Write(value, field, out); !status.ok()) return status;
  return out;
}

absl::StatusOr<std::string> CanonicalJson(std::string_view json, std::string_view field) {
  unsigned char temp[4096];
  ExactNumberParser parser(boost::json::parse_options(), temp, sizeof(temp));
  parser.handler().stack.reset();
  boost::system::error_code error;
  const size_t used = parser.write_some(false, json.data(), json.size(), error);
  if (!error && used < json.size()) error = boost::json::error::extra_data;
  if (error) {
    if (parser.handler().number_error == NumberError::kOverflow) {
      return absl::InvalidArgumentError(
          absl::StrCat(Absl(field), ": numbers must be finite (no NaN or infinity)"));
    }
    return absl::InvalidArgumentError(absl::StrCat(Absl(field), ": not valid JSON"));
  }
  return CanonicalJson(parser.handler().stack.release(), field);
}

}  // namespace backoffice::audit
