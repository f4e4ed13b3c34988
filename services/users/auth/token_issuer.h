// Issues the users service's access tokens (JWT, RFC 9068 profile) with the ring's active key.
//
//   TokenIssuer issuer(ring);  // iss "backoffice-users", aud ["backoffice"], 15 minutes
//   absl::StatusOr<AccessToken> token =
//       issuer.Issue({.user_id = id, .session_id = sid}, absl::Now());
//   auto verifier = issuer.MakeVerifier();  // verifies them through the ring's KeySource
//
// Header: alg (the key's), typ "at+jwt", kid. Claims: iss, sub (user id), aud, iat, nbf, exp
// (iat + the ring's access token lifetime), jti (UUIDv7), sid (session id), and `pcr: true` while
// the account must change its password (auth.proto TokenPair). No email, name or roles: tokens
// travel in logs and browser storage, so they carry no personal data, and permissions are looked
// up by the BFF (roles service), not frozen into a 15-minute token.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/jwt/verifier.h"
#include "services/users/auth/signing_key_ring.h"

namespace backoffice::users {

/// What every token of this issuer says.
struct TokenIssuerOptions {
  /// `iss`.
  std::string issuer = "backoffice-users";
  /// `aud` (one entry is written as a string, several as an array).
  std::vector<std::string> audience = {"backoffice"};
};

/// Who a token is for.
struct AccessTokenSubject {
  /// `sub`: the user id.
  std::string user_id;
  /// `sid`: the session (refresh-token family) id.
  std::string session_id;
  /// Adds `pcr: true`.
  bool password_change_required = false;
};

/// A signed access token.
struct AccessToken {
  /// Compact JWS.
  std::string token;
  /// `jti`.
  std::string jti;
  /// The signing key's id.
  std::string kid;
  /// `iat` (whole seconds).
  absl::Time issued_at;
  /// `exp`.
  absl::Time expires_at;
  /// exp - iat.
  absl::Duration lifetime;
};

/// Signs access tokens. Thread-safe.
class TokenIssuer final {
 public:
  /// The ring must outlive the issuer.
  explicit TokenIssuer(SigningKeyRing& ring, TokenIssuerOptions options = {});

  /// A token for `subject` issued at `now` (truncated to whole seconds). INVALID_ARGUMENT without
  /// user or session id; FAILED_PRECONDITION if the ring has no active key.
  absl::StatusOr<AccessToken> Issue(const AccessTokenSubject& subject, absl::Time now) const;

  /// Options that accept exactly this issuer's tokens (issuer, audience, typ at+jwt, max
  /// lifetime the ring's token lifetime).
  jwt::VerifierOptions verifier_options() const;

  /// A verifier over the ring's KeySource with verifier_options().
  absl::StatusOr<std::unique_ptr<jwt::Verifier>> MakeVerifier() const;

  const TokenIssuerOptions& options() const { return options_; }
  absl::Duration lifetime() const { return ring_.access_token_lifetime(); }

 private:
  SigningKeyRing& ring_;
  TokenIssuerOptions options_;
};

}  // namespace backoffice::users
