#pragma once

#include <boost/json/object.hpp>
#include <string>

#include "absl/status/statusor.h"
#include "libs/jwt/claims.h"
#include "libs/jwt/key.h"

namespace backoffice::jwt {

/// How Sign writes the JOSE header.
struct SignOptions {
  /// The `typ` header; "at+jwt" marks an OAuth access token (RFC 9068). Empty: no typ.
  std::string typ = "at+jwt";
  /// Put the key's kid (if it has one) in the header.
  bool include_kid = true;
};

/// Signs `payload` as a compact JWS with header {"alg", "typ", "kid"} using the key's own
/// algorithm (RS256, ES256 or EdDSA). The payload is signed as given.
absl::StatusOr<std::string> Sign(const PrivateKey& key, const boost::json::object& payload,
                                 const SignOptions& options = {});

/// Signs ClaimsToPayload(claims). INVALID_ARGUMENT if `claims.exp` is unset: an access token
/// without an expiry is never issued.
absl::StatusOr<std::string> Sign(const PrivateKey& key, const Claims& claims,
                                 const SignOptions& options = {});

}  // namespace backoffice::jwt
