#include "services/users/auth/token_issuer.h"

#include "libs/ids/uuid.h"
#include "libs/jwt/signer.h"

namespace backoffice::users {

TokenIssuer::TokenIssuer(SigningKeyRing& ring, TokenIssuerOptions options)
    : ring_(ring), options_(std::move(options)) {}

absl::StatusOr<AccessToken> TokenIssuer::Issue(const AccessTokenSubject& subject,
                                               absl::Time now) const {
  if (subject.user_id.empty() || subject.session_id.empty()) {
    return absl::InvalidArgumentError("access token: user id and session id are required");
  }
  absl::StatusOr<std::shared_ptr<const jwt::PrivateKey>> key = ring_.SigningKey(now);
  if (!key.ok()) {
    return key.status();
  }
  const absl::Time issued_at = absl::FromUnixSeconds(absl::ToUnixSeconds(now));
  jwt::Claims claims;
  claims.iss = options_.issuer;
  claims.sub = subject.user_id;
  claims.aud = options_.audience;
  claims.iat = issued_at;
  claims.nbf = issued_at;
  claims.exp = issued_at + ring_.access_token_lifetime();
  claims.jti = ids::NewUuidV7().ToString();
  claims.sid = subject.session_id;
  if (subject.password_change_required) {
    claims.payload["pcr"] = true;
  }
  absl::StatusOr<std::string> token =
      jwt::Sign(**key, claims, jwt::SignOptions{.typ = "at+jwt", .include_kid = true});
  if (!token.ok()) {
    return token.status();
  }
  return AccessToken{.token = *std::move(token),
                     .jti = claims.jti,
                     .kid = (*key)->kid(),
                     .issued_at = issued_at,
                     .expires_at = claims.exp,
                     .lifetime = ring_.access_token_lifetime()};
}

jwt::VerifierOptions TokenIssuer::verifier_options() const {
  jwt::VerifierOptions options;
  options.issuers = {options_.issuer};
  options.audiences = options_.audience;
  options.allowed_typ = {"at+jwt"};
  options.max_lifetime = ring_.access_token_lifetime();
  return options;
}

absl::StatusOr<std::unique_ptr<jwt::Verifier>> TokenIssuer::MakeVerifier() const {
  return jwt::Verifier::Create(verifier_options(), ring_.key_source());
}

}  // namespace backoffice::users
