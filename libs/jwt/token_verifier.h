#pragma once

#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/jwt/claims.h"

namespace backoffice::jwt {

/// Anything that turns a bearer token into verified claims: Verifier (one issuer),
/// MultiIssuerVerifier (several) and CachingVerifier (a cache in front of either).
class TokenVerifier {
 public:
  virtual ~TokenVerifier() = default;

  /// Verifies `token` at time `now`; UNAUTHENTICATED with a short reason (never quoting the
  /// token) when it is not acceptable. Thread-safe.
  virtual absl::StatusOr<Claims> Verify(std::string_view token, absl::Time now) const = 0;
};

using TokenVerifierPtr = std::unique_ptr<TokenVerifier>;

}  // namespace backoffice::jwt
