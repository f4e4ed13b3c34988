// The token verifier of a platform service other than users: the users service's access tokens
// (keys from its GetJwks, cached and refreshed) and, when a service JWKS file is configured,
// service-account tokens (service_accounts.h); verified tokens are cached until they expire.
// MakePlatformAuthenticator builds the CallAuthenticator over the same issuers plus the external
// OpenID Connect issuers of --oidc_issuer (oidc_trust.h), whose principals it marks as such
// (Caller::Kind::kExternal).
//
//   absl::StatusOr<std::shared_ptr<const jwt::TokenVerifier>> verifier = MakePlatformVerifier({
//       .users_channel = channel, .users_issuer = "backoffice-users", .users_audience =
//       "backoffice", .service_jwks_path = flag_value, .services = {.audience =
//       "backoffice-roles"}});
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/auth/call_authenticator.h"
#include "libs/auth/oidc_issuer.h"
#include "libs/auth/service_accounts.h"
#include "libs/jwt/token_verifier.h"

namespace grpc {
class Channel;
}

namespace backoffice::auth {

struct PlatformVerifierOptions {
  std::shared_ptr<grpc::Channel> users_channel;
  std::string users_issuer;
  std::string users_audience;
  /// Empty: no service account is trusted.
  std::string service_jwks_path;
  ServiceIssuerOptions services;
  /// External OpenID Connect issuers (--oidc_issuer); empty: none.
  std::vector<OidcIssuer> oidc_issuers;
};

/// The verifier over the users service and service accounts. INVALID_ARGUMENT for an unreadable
/// service JWKS, and when `oidc_issuers` is not empty: a CallAuthenticator made over this
/// verifier would take external principals for users of the users service.
absl::StatusOr<std::shared_ptr<const jwt::TokenVerifier>> MakePlatformVerifier(
    const PlatformVerifierOptions& options);

/// A CallAuthenticator over the users service, service accounts and `oidc_issuers`, the external
/// ones' principals made Caller::Kind::kExternal. INVALID_ARGUMENT for an unreadable service JWKS,
/// a bad JWKS URL or an issuer named twice.
absl::StatusOr<std::unique_ptr<CallAuthenticator>> MakePlatformAuthenticator(
    const PlatformVerifierOptions& options);

}  // namespace backoffice::auth
