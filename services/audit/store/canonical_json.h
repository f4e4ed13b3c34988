// Canonical JSON: one byte string per JSON value, so a hash over it does not depend on key order,
// whitespace or number spelling. The audit hash chain hashes `before`, `after` and `metadata` in
// this form (services/audit/README.md, "Canonical encoding").
//
//   absl::StatusOr<std::string> text = CanonicalJson(R"({"b": 1.50, "a": [true, null]})");
//   // *text == R"({"a":[true,null],"b":1.5})"
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "boost/json/value.hpp"

namespace backoffice::audit {

/// Writes `value` canonically:
///  - objects: members sorted by key, bytewise on the UTF-8 key; no whitespace anywhere;
///  - strings: `"` and `\` escaped as `\"` `\\`; U+0008, U+0009, U+000A, U+000C, U+000D as
///    `\b \t \n \f \r`; other code points below U+0020 as `\u00xx` (lowercase hex); everything
///    else as raw UTF-8;
///  - numbers: read as IEEE 754 doubles, written in plain notation (no exponent): an integral
///    value as its exact integer (1, -3, 12345678901234567168), any other value with the fewest
///    fraction digits that read back to the same double (0.1, -0.5, 2.5e-7 as 0.00000025);
///    -0 is written 0 (this is C++17 std::to_chars with chars_format::fixed);
///  - true, false, null.
/// INVALID_ARGUMENT "<field>: ..." for NaN or infinite numbers.
absl::StatusOr<std::string> CanonicalJson(const boost::json::value& value, std::string_view field);

/// Appends `text` to `out` as a canonical JSON string (quoted and escaped as above): for writers
/// that produce canonical JSON from another tree than Boost.JSON's.
void AppendCanonicalJsonString(std::string_view text, std::string& out);

/// Appends `number` to `out` as a canonical JSON number (as above). INVALID_ARGUMENT
/// "<field>: numbers must be finite (no NaN or infinity)" for NaN or an infinity.
absl::Status AppendCanonicalJsonNumber(double number, std::string_view field, std::string& out);

/// Parses `json` (strict RFC 8259) and writes it canonically. INVALID_ARGUMENT "<field>: ..." if
/// it does not parse.
absl::StatusOr<std::string> CanonicalJson(std::string_view json, std::string_view field);

}  // namespace backoffice::audit
