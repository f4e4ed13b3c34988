#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/jwt/key_source.h"
#include "libs/jwt/token_verifier.h"
#include "libs/jwt/verifier.h"

namespace backoffice::jwt {

/// One issuer a MultiIssuerVerifier trusts.
struct TrustedIssuer {
  /// The exact `iss` value.
  std::string issuer;
  /// Its keys, typically a JwksCache over its JWKS URL.
  std::shared_ptr<KeySource> keys;
  /// Audiences, typ, leeway and limits for this issuer; `issuers` is replaced by {issuer}.
  VerifierOptions options;
};

/// Verifies tokens from several issuers (the users service and external OpenID Connect
/// providers): it reads the unverified `iss` claim only to pick the issuer, then that issuer's
/// Verifier checks everything, signature included, against that issuer's keys only. A token
/// claiming an issuer that is not configured is refused without touching any key.
///
///   auto verifier = MultiIssuerVerifier::Create({
///       {"https://users.backoffice", users_jwks, {.audiences = {"backoffice"}}},
///       {"https://idp.example", idp_jwks, {.audiences = {"backoffice"},
///                                          .allowed_typ = {"at+jwt", "JWT"}}}});
class MultiIssuerVerifier final : public TokenVerifier {
 public:
  /// INVALID_ARGUMENT if there are no issuers, an issuer appears twice, or an issuer's options
  /// are unusable (see Verifier::Create).
  static absl::StatusOr<std::unique_ptr<MultiIssuerVerifier>> Create(
      std::vector<TrustedIssuer> issuers);

  absl::StatusOr<Claims> Verify(std::string_view token, absl::Time now) const override;

 private:
  MultiIssuerVerifier() = default;

  // The largest max_token_bytes among issuers: the cap before anything is decoded.
  size_t max_token_bytes_ = 0;
  absl::flat_hash_map<std::string, std::unique_ptr<Verifier>> verifiers_;
};

}  // namespace backoffice::jwt
