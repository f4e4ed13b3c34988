#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "bff/app/jwks_refresher.h"
#include "bff/app/token_authenticator.h"
#include "libs/auth/oidc_issuer.h"
#include "libs/jwt/verified_token_cache.h"

namespace grpc {
class Channel;
}

namespace backoffice::bff::app {

/// An external OpenID Connect issuer, from `--oidc_issuer=issuer|jwks_url|audience`; the
/// services read the same flag (libs/auth/oidc_issuer.h).
using auth::OidcIssuer;
using auth::ParseOidcIssuer;

/// Whom the BFF trusts and how it keeps their keys.
struct AuthenticationOptions {
  /// The users service's `iss` and `aud` (its --token_issuer, --token_audience).
  std::string users_issuer = "backoffice-users";
  std::string users_audience = "backoffice";
  std::vector<OidcIssuer> oidc_issuers;
  JwksRefresher::Options refresh;
};

/// The authentication pieces main.cc wires: the refresher (start it, stop it after the server)
/// and the Authenticator for the gateway.
struct Authentication {
  std::shared_ptr<JwksRefresher> refresher;
  std::shared_ptr<jwt::CachingVerifier> verifier;
  std::shared_ptr<TokenAuthenticator> authenticator;
};

/// Builds a MultiIssuerVerifier over the users service (keys from GetJwks on `users_channel`)
/// and every OIDC issuer (keys from HttpJwksFetcher), each behind a SnapshotKeySource refreshed
/// by one JwksRefresher, with a CachingVerifier in front. INVALID_ARGUMENT for a bad JWKS URL or
/// a duplicate issuer. The refresher is not started.
absl::StatusOr<Authentication> CreateAuthentication(const AuthenticationOptions& options,
                                                    std::shared_ptr<grpc::Channel> users_channel);

}  // namespace backoffice::bff::app
