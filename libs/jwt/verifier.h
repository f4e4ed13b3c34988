#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/jwt/claims.h"
#include "libs/jwt/compact.h"
#include "libs/jwt/key_source.h"
#include "libs/jwt/token_verifier.h"

namespace backoffice::jwt {

/// What a Verifier accepts. `issuers` and `audiences` must not be empty: a verifier that checks
/// no issuer or no audience accepts tokens minted for someone else.
struct VerifierOptions {
  /// `iss` must equal one of these (exact string match).
  std::vector<std::string> issuers;
  /// `aud` (string or array) must contain at least one of these.
  std::vector<std::string> audiences;
  /// Accepted `typ` header values, compared case-insensitively with an optional "application/"
  /// prefix ignored (RFC 7515 section 4.1.9). The default accepts only OAuth access tokens
  /// (RFC 9068 "at+jwt"), so an OpenID Connect ID token (typ "JWT") cannot be replayed as an
  /// access token. Add "JWT" for an external issuer whose access tokens carry it, and "" to
  /// accept tokens without a typ. Empty list: typ is not checked.
  std::vector<std::string> allowed_typ = {"at+jwt"};
  /// Clock skew tolerated on exp, nbf and iat (RFC 8725 section 3.10 asks for a small one).
  absl::Duration leeway = absl::Seconds(30);
  /// Longer tokens are refused before any decoding.
  size_t max_token_bytes = 8192;
  /// If finite, exp - iat (or exp - now without iat) may not exceed this.
  absl::Duration max_lifetime = absl::InfiniteDuration();
  /// If not empty, `sub` must start with it: an issuer that may only name one kind of principal
  /// (service accounts are "service:<name>") cannot be used to name another.
  std::string subject_prefix;
};

/// Verifies compact JWS access tokens of one issuer (RFC 7519, RFC 8725 best practices).
///
/// Refused, each with UNAUTHENTICATED and its own short reason: oversize tokens; anything but
/// three strict-base64url parts; header or payload that is not a JSON object, has bad JSON or
/// duplicate member names; alg missing, "none" in any spelling, HS256/384/512 (no HMAC ever, so
/// never HMAC keyed with a public key), or any alg but RS256/ES256/EdDSA; a `crit` header; a typ
/// not allowed; a non-string kid; an unknown kid; no kid while the key set has several keys; a
/// key whose algorithm is not the header's alg; a signature of the wrong length or that does not
/// verify; badly typed claims; missing exp; expired (now >= exp + leeway); not yet valid (nbf -
/// leeway > now); issued in the future (iat - leeway > now); longer than max_lifetime; missing or
/// wrong iss; missing or wrong aud; a `sub` without the required prefix. The `jku`, `x5u`, `jwk`
/// and `x5c` headers are ignored: keys come only from the KeySource.
///
/// Claims are checked before the signature so that a forged expired token or one for another
/// audience costs no signature check and no JWKS refresh.
///
///   auto verifier = Verifier::Create({.issuers = {"https://users"}, .audiences = {"backoffice"}},
///                                    std::make_shared<JwksCache>(...));
///   absl::StatusOr<Claims> claims = (*verifier)->Verify(token, absl::Now());
class Verifier final : public TokenVerifier {
 public:
  /// INVALID_ARGUMENT if options are unusable (no issuers or audiences, negative or over five
  /// minutes of leeway, zero max_token_bytes) or `keys` is null.
  static absl::StatusOr<std::unique_ptr<Verifier>> Create(VerifierOptions options,
                                                          std::shared_ptr<KeySource> keys);

  absl::StatusOr<Claims> Verify(std::string_view token, absl::Time now) const override;

  /// Verifies an already parsed token (MultiIssuerVerifier parses once to find the issuer).
  absl::StatusOr<Claims> VerifyParsed(const ParsedToken& token, absl::Time now) const;

  const VerifierOptions& options() const { return options_; }

 private:
  Verifier(VerifierOptions options, std::shared_ptr<KeySource> keys);

  VerifierOptions options_;
  std::vector<std::string> normalized_typ_;
  std::shared_ptr<KeySource> keys_;
};

}  // namespace backoffice::jwt
