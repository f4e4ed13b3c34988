#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace backoffice::jwt {

/// Encodes bytes as base64url without padding (RFC 7515 section 2).
std::string Base64UrlEncode(std::string_view bytes);

/// Decodes strict base64url: only [A-Za-z0-9_-], no padding, no whitespace, and the unused low
/// bits of the last character must be zero (so every byte string has exactly one encoding).
/// Returns nullopt on any violation.
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace backoffice::jwt
