#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace backoffice::jwt {

/// A compact JWS split and decoded, not yet verified.
struct ParsedToken {
  /// "<header>.<payload>" as it appears in the token (a view into the caller's token).
  std::string_view signing_input;
  boost::json::object header;
  boost::json::object payload;
  std::string signature;
  /// Length of the whole compact token in bytes.
  size_t token_size = 0;
};

/// Splits and decodes a compact JWS: at most `max_bytes` long, exactly three parts, each strict
/// base64url, header and payload strict JSON objects (no duplicate member names). Checks nothing
/// about algorithms, keys or claims. UNAUTHENTICATED with a short reason that never quotes the
/// token.
absl::StatusOr<ParsedToken> ParseCompact(std::string_view token, size_t max_bytes);

}  // namespace backoffice::jwt
