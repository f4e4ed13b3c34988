#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string_view>

#include "absl/status/statusor.h"

namespace backoffice::jwt {

/// Parses one JSON document strictly: RFC 8259 syntax only (no comments, no trailing commas),
/// valid UTF-8, nesting at most 32 deep, and no object with two members of the same name
/// (RFC 7515 section 5.2 lets a JWS parser either reject duplicates or take the last one; taking
/// one silently lets two parsers disagree, so we reject). Errors are INVALID_ARGUMENT with a short
/// reason that never quotes the input.
absl::StatusOr<boost::json::value> ParseStrictJson(std::string_view text);

/// Like ParseStrictJson, and the document must be a JSON object.
absl::StatusOr<boost::json::object> ParseStrictJsonObject(std::string_view text);

}  // namespace backoffice::jwt
