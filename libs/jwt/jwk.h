#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/jwt/key.h"
#include "libs/jwt/key_set.h"

namespace backoffice::jwt {

/// At most this many entries in a JWKS `keys` array.
inline constexpr size_t kMaxJwksKeys = 100;

/// Parses one public JWK. Supported: kty "RSA" (n, e), kty "EC" crv "P-256" (x, y, 32 bytes
/// each, point on the curve), kty "OKP" crv "Ed25519" (x, 32 bytes).
///
/// Returns nullopt for a key this library cannot use, which a JWKS may well contain: an unknown
/// kty or curve, `use` other than "sig", `key_ops` without "verify", or an `alg` other than the
/// key's own algorithm (so a key published for RS384 or PS256 never verifies RS256).
/// INVALID_ARGUMENT for a malformed member (wrong type, bad base64url, wrong length), private key
/// material (d, p, q, ...), an RSA key under 2048 bits or with a bad exponent.
absl::StatusOr<std::optional<PublicKey>> ParseJwk(const boost::json::object& jwk);

/// Parses a JWKS document ({"keys": [...]}, RFC 7517 section 5) into a key set, skipping keys
/// ParseJwk skips. INVALID_ARGUMENT on bad JSON (including duplicate member names), a missing
/// `keys` array, any malformed key, duplicate kids or more than kMaxJwksKeys entries.
absl::StatusOr<KeySet> ParseJwks(std::string_view json);

/// Serializes public keys as a JWKS document (each with kid, use "sig" and alg).
absl::StatusOr<std::string> WriteJwks(const std::vector<PublicKey>& keys);

}  // namespace backoffice::jwt
