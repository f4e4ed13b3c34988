#pragma once

// Helpers for tests that craft tokens by hand.

#include <string>
#include <string_view>

#include "libs/jwt/key.h"

namespace backoffice::jwt::testing {

/// Keys generated once per test binary (RSA generation is slow).
const PrivateKey& RsaKey();       // kid "rsa-1", 2048 bits
const PrivateKey& OtherRsaKey();  // kid "rsa-2", 2048 bits
const PrivateKey& EcKey();        // kid "ec-1"
const PrivateKey& EdKey();        // kid "ed-1"

/// base64url(header) + "." + base64url(payload) + "." + base64url(signature over the first two
/// parts with `key`, using the key's own algorithm). Header and payload are sent exactly as given.
std::string SignedToken(std::string_view header_json, std::string_view payload_json,
                        const PrivateKey& key);

/// The first two parts and a caller-supplied raw signature.
std::string TokenWithSignature(std::string_view header_json, std::string_view payload_json,
                               std::string_view signature);

/// HMAC-SHA256 of `data` keyed with `secret` (to forge HS256 tokens keyed with a public key).
std::string HmacSha256(std::string_view secret, std::string_view data);

}  // namespace backoffice::jwt::testing
