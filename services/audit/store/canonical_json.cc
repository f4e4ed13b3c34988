#include "services/audit/store/canonical_json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "boost/json/parse.hpp"

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
  boost::system::error_code error;
  boost::json::value value =
      boost::json::parse(boost::json::string_view(json.data(), json.size()), error);
  if (error) {
    return absl::InvalidArgumentError(absl::StrCat(Absl(field), ": not valid JSON"));
  }
  return CanonicalJson(value, field);
}

}  // namespace backoffice::audit
