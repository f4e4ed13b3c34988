#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/jwt/key.h"

namespace backoffice::jwt {

/// Signs `input` (the JWS signing input) with the key's own algorithm and returns the JWS
/// signature bytes: RS256 PKCS#1 v1.5 over SHA-256 (modulus size), ES256 as raw R||S (64 bytes,
/// RFC 7518 section 3.4, not DER), EdDSA Ed25519 (64 bytes).
absl::StatusOr<std::string> SignBytes(const PrivateKey& key, std::string_view input);

/// Checks a JWS signature over `input` with the key's own algorithm. UNAUTHENTICATED with
/// "signature has the wrong length" or "signature does not verify" when it does not.
absl::Status VerifyBytes(const PublicKey& key, std::string_view input, std::string_view signature);

}  // namespace backoffice::jwt
