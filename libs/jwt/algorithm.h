#pragma once

#include <optional>
#include <string_view>

namespace backoffice::jwt {

/// The JWS algorithms this library signs and verifies. Each key family has exactly one:
/// RSA (>= 2048 bits) signs RS256, EC P-256 signs ES256 and Ed25519 signs EdDSA. There is no
/// `none` and no HMAC on purpose (RFC 8725 sections 2.1 and 3.1).
enum class Algorithm {
  kRs256,
  kEs256,
  kEdDsa,
};

/// The `alg` header value: "RS256", "ES256" or "EdDSA".
std::string_view AlgorithmName(Algorithm algorithm);

/// Parses an `alg` header value (case-sensitive, as RFC 7515 requires); nullopt if unsupported.
std::optional<Algorithm> AlgorithmFromName(std::string_view name);

}  // namespace backoffice::jwt
