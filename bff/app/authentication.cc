#include "bff/app/authentication.h"

#include <grpcpp/channel.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "bff/app/grpc_jwks_fetcher.h"
#include "libs/jwt/http_jwks_fetcher.h"
#include "libs/jwt/multi_issuer_verifier.h"

namespace backoffice::bff::app {

absl::StatusOr<OidcIssuer> ParseOidcIssuer(std::string_view flag) {
  std::vector<std::string> parts = absl::StrSplit(absl::string_view(flag.data(), flag.size()), '|');
  if (parts.size() != 3 || parts[0].empty() || parts[1].empty() || parts[2].empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--oidc_issuer must be issuer|jwks_url|audience, not \"",
                     absl::string_view(flag.data(), flag.size()), "\""));
  }
  return OidcIssuer{parts[0], parts[1], parts[2]};
}

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
    absl::StatusOr<jwt::JwksFetcherPtr> fetcher = jwt::HttpJwksFetcher::Create(oidc.jwks_url);
    if (!fetcher.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--oidc_issuer ", oidc.issuer, ": ", fetcher.status().message()));
    }
    auto keys = std::make_shared<jwt::JwksCache>(*std::move(fetcher));
    caches.push_back(keys);
    jwt::VerifierOptions oidc_options;
    oidc_options.audiences = {oidc.audience};
    // Most providers write typ "JWT" in access tokens; ID tokens are kept out by `aud`.
    oidc_options.allowed_typ = {"at+jwt", "JWT"};
    issuers.push_back({oidc.issuer, std::make_shared<SnapshotKeySource>(keys), oidc_options});
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
