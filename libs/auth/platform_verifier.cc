#include "libs/auth/platform_verifier.h"

#include <utility>
#include <vector>

#include "libs/auth/oidc_trust.h"
#include "libs/auth/users_jwks_fetcher.h"
#include "libs/jwt/jwks_cache.h"
#include "libs/jwt/multi_issuer_verifier.h"
#include "libs/jwt/verified_token_cache.h"

namespace backoffice::auth {
namespace {

// The users service and, when configured, service accounts (not the external issuers).
absl::StatusOr<std::vector<jwt::TrustedIssuer>> PlatformIssuers(
    const PlatformVerifierOptions& options) {
  std::vector<jwt::TrustedIssuer> issuers;
  issuers.push_back({options.users_issuer,
                     std::make_shared<jwt::JwksCache>(MakeGrpcJwksFetcher(options.users_channel)),
                     {.audiences = {options.users_audience}}});
  absl::StatusOr<std::optional<jwt::TrustedIssuer>> services =
      LoadServiceIssuer(options.service_jwks_path, options.services);
  if (!services.ok()) return services.status();
  if (services->has_value()) issuers.push_back(**std::move(services));
  return issuers;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const jwt::TokenVerifier>> MakePlatformVerifier(
    const PlatformVerifierOptions& options) {
  if (!options.oidc_issuers.empty()) {
    // A CallAuthenticator over this verifier would take external principals for users.
    return absl::InvalidArgumentError(
        "--oidc_issuer: external issuers need MakePlatformAuthenticator, which marks their "
        "principals as external");
  }
  absl::StatusOr<std::vector<jwt::TrustedIssuer>> issuers = PlatformIssuers(options);
  if (!issuers.ok()) return issuers.status();
  absl::StatusOr<std::unique_ptr<jwt::MultiIssuerVerifier>> verifier =
      jwt::MultiIssuerVerifier::Create(*std::move(issuers));
  if (!verifier.ok()) return verifier.status();
  return std::make_shared<jwt::CachingVerifier>(
      std::shared_ptr<const jwt::TokenVerifier>(*std::move(verifier)));
}

absl::StatusOr<std::unique_ptr<CallAuthenticator>> MakePlatformAuthenticator(
    const PlatformVerifierOptions& options) {
  absl::StatusOr<std::vector<jwt::TrustedIssuer>> issuers = PlatformIssuers(options);
  if (!issuers.ok()) return issuers.status();
  return MakeCallAuthenticator(*std::move(issuers), options.oidc_issuers);
}

}  // namespace backoffice::auth
