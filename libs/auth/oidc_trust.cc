#include "libs/auth/oidc_trust.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/jwt/http_jwks_fetcher.h"
#include "libs/jwt/jwks_cache.h"
#include "libs/jwt/verified_token_cache.h"

namespace backoffice::auth {

jwt::VerifierOptions OidcVerifierOptions(const OidcIssuer& oidc) {
  jwt::VerifierOptions options;
  options.audiences = {oidc.audience};
  options.allowed_typ = {"at+jwt", "JWT"};
  return options;
}

absl::StatusOr<jwt::JwksFetcherPtr> MakeOidcJwksFetcher(const OidcIssuer& oidc) {
  absl::StatusOr<jwt::JwksFetcherPtr> fetcher = jwt::HttpJwksFetcher::Create(oidc.jwks_url);
  if (!fetcher.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--oidc_issuer ", oidc.issuer, ": ", fetcher.status().message()));
  }
  return fetcher;
}

absl::StatusOr<std::vector<jwt::TrustedIssuer>> OidcTrustedIssuers(
    const std::vector<OidcIssuer>& oidc_issuers, const jwt::JwksCacheOptions& cache) {
  std::vector<jwt::TrustedIssuer> issuers;
  for (const OidcIssuer& oidc : oidc_issuers) {
    absl::StatusOr<jwt::JwksFetcherPtr> fetcher = MakeOidcJwksFetcher(oidc);
    if (!fetcher.ok()) return fetcher.status();
    issuers.push_back({oidc.issuer, std::make_shared<jwt::JwksCache>(*std::move(fetcher), cache),
                       OidcVerifierOptions(oidc)});
  }
  return issuers;
}

std::vector<std::string> IssuerNames(const std::vector<OidcIssuer>& oidc_issuers) {
  std::vector<std::string> names;
  names.reserve(oidc_issuers.size());
  for (const OidcIssuer& oidc : oidc_issuers) names.push_back(oidc.issuer);
  return names;
}

absl::StatusOr<std::unique_ptr<CallAuthenticator>> MakeCallAuthenticator(
    std::vector<jwt::TrustedIssuer> platform_issuers, const std::vector<OidcIssuer>& oidc_issuers,
    const jwt::JwksCacheOptions& cache) {
  absl::StatusOr<std::vector<jwt::TrustedIssuer>> external =
      OidcTrustedIssuers(oidc_issuers, cache);
  if (!external.ok()) return external.status();
  std::vector<jwt::TrustedIssuer> issuers = std::move(platform_issuers);
  for (jwt::TrustedIssuer& issuer : *external) issuers.push_back(std::move(issuer));
  absl::StatusOr<std::unique_ptr<jwt::MultiIssuerVerifier>> verifier =
      jwt::MultiIssuerVerifier::Create(std::move(issuers));
  if (!verifier.ok()) return verifier.status();
  auto cached = std::make_shared<jwt::CachingVerifier>(
      std::shared_ptr<const jwt::TokenVerifier>(*std::move(verifier)));
  return std::make_unique<CallAuthenticator>(
      std::move(cached), CallAuthenticatorOptions{.external_issuers = IssuerNames(oidc_issuers)});
}

}  // namespace backoffice::auth
