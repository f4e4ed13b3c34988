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
///  - numbers: IEEE 754 doubles (what google.protobuf.Struct carries), written in plain notation
///    (no exponent): an integral value as its exact integer (1, -3, 12345678901234567168), any
///    other value with the fewest fraction digits that read back to the same double (0.1, -0.5,
///    2.5e-7 as 0.00000025); -0 is written 0 (this is std::to_chars with chars_format::fixed and
///    no precision). Parsed text is read with correct rounding (std::from_chars: the double
///    nearest to the decimal value, ties to even), integers included, so a number's canonical
///    text depends only on its own text, never on what surrounds it, and canonical text parses
///    back to itself. A value too small for a subnormal is 0; one too large for a double is
///    refused like an infinity;
///  - true, false, null.
/// INVALID_ARGUMENT "<field>: ..." for NaN or infinite numbers. A tree from boost::json::parse
/// holds Boost.JSON's own (inexact) readings of its numbers: canonicalize text with the overload
/// below instead.
absl::StatusOr<std::string> CanonicalJson(const boost::json::value& value, std::string_view field);

/// Appends `text` to `out` as a canonical JSON string (quoted and escaped as above): for writers
/// that produce canonical JSON from another tree than Boost.JSON's.
void AppendCanonicalJsonString(std::string_view text, std::string& out);

/// Appends `number` to `out` as a canonical JSON number (as above). INVALID_ARGUMENT
/// "<field>: numbers must be finite (no NaN or infinity)" for NaN or an infinity.
absl::Status AppendCanonicalJsonNumber(double number, std::string_view field, std::string& out);

/// Parses `json` (strict RFC 8259, at most 32 levels deep) and writes it canonically; numbers are
/// read from their text exactly as said above (not by Boost.JSON 1.81's own number conversion,
/// which is not correctly rounded and depends on how much input follows a number).
/// INVALID_ARGUMENT "<field>: not valid JSON" if it does not parse, "<field>: numbers must be
/// finite (no NaN or infinity)" for a number beyond a double's range.
absl::StatusOr<std::string> CanonicalJson(std::string_view json, std::string_view field);

}  // namespace backoffice::audit
