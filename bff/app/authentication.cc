#include "bff/app/authentication.h"

#include <grpcpp/channel.h>

#include "bff/app/grpc_jwks_fetcher.h"
#include "libs/auth/oidc_trust.h"
#include "libs/jwt/multi_issuer_verifier.h"

namespace backoffice::bff::app {

absl::StatusOr<Authentication> CreateAuthentication(const AuthenticationOptions& options,
                                                    std::shared_ptr<grpc::Channel> users_channel) {
  std::vector<std::shared_ptr<jwt::JwksCache>> caches;
  std::vector<jwt::TrustedIssuer> issuers;

  auto users_keys = std::make_shared<jwt::JwksCache>(MakeGrpcJwksFetcher(std::move(users_channel)));
  caches.push_back(users_keys);
  jwt::VerifierOptions users_options;
  users_options.audiences = {options.users_audience};
  issuers.push_back(
      {options.users_issuer, std::make_shared<SnapshotKeySource>(users_keys), users_options});

  for (const OidcIssuer& oidc : options.oidc_issuers) {
    // The same fetcher and token rules as the services' (libs/auth/oidc_trust.h); here the keys
    // are kept fresh by the refresher, off the I/O threads.
    absl::StatusOr<jwt::JwksFetcherPtr> fetcher = auth::MakeOidcJwksFetcher(oidc);
    if (!fetcher.ok()) {
      return fetcher.status();
    }
    auto keys = std::make_shared<jwt::JwksCache>(*std::move(fetcher));
    caches.push_back(keys);
    issuers.push_back(
        {oidc.issuer, std::make_shared<SnapshotKeySource>(keys), auth::OidcVerifierOptions(oidc)});
  }

  absl::StatusOr<std::unique_ptr<jwt::MultiIssuerVerifier>> multi =
      jwt::MultiIssuerVerifier::Create(std::move(issuers));
  if (!multi.ok()) {
    return multi.status();
  }
  Authentication authentication;
  authentication.refresher = std::make_shared<JwksRefresher>(std::move(caches), options.refresh);
  authentication.verifier = std::make_shared<jwt::CachingVerifier>(
      std::shared_ptr<const jwt::TokenVerifier>(*std::move(multi)));
  authentication.authenticator = std::make_shared<TokenAuthenticator>(
      authentication.verifier, authentication.refresher,
      TokenAuthenticatorOptions{.users_issuer = options.users_issuer});
  return authentication;
}

}  // namespace backoffice::bff::app
