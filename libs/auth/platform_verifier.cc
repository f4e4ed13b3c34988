#include "libs/auth/platform_verifier.h"

#include <utility>
#include <vector>

#include "libs/auth/users_jwks_fetcher.h"
#include "libs/jwt/jwks_cache.h"
#include "libs/jwt/multi_issuer_verifier.h"
#include "libs/jwt/verified_token_cache.h"

namespace backoffice::auth {

absl::StatusOr<std::shared_ptr<const jwt::TokenVerifier>> MakePlatformVerifier(
    const PlatformVerifierOptions& options) {
  std::vector<jwt::TrustedIssuer> issuers;
  issuers.push_back({options.users_issuer,
                     std::make_shared<jwt::JwksCache>(MakeGrpcJwksFetcher(options.users_channel)),
                     {.audiences = {options.users_audience}}});
  absl::StatusOr<std::optional<jwt::TrustedIssuer>> services =
      LoadServiceIssuer(options.service_jwks_path, options.services);
  if (!services.ok()) return services.status();
  if (services->has_value()) issuers.push_back(**std::move(services));
  absl::StatusOr<std::unique_ptr<jwt::MultiIssuerVerifier>> verifier =
      jwt::MultiIssuerVerifier::Create(std::move(issuers));
  if (!verifier.ok()) return verifier.status();
  return std::make_shared<jwt::CachingVerifier>(
      std::shared_ptr<const jwt::TokenVerifier>(*std::move(verifier)));
}

}  // namespace backoffice::auth
