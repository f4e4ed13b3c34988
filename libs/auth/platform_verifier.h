// The token verifier of a platform service other than users: the users service's access tokens
// (keys from its GetJwks, cached and refreshed) and, when a service JWKS file is configured,
// service-account tokens (service_accounts.h); verified tokens are cached until they expire.
//
//   absl::StatusOr<std::shared_ptr<const jwt::TokenVerifier>> verifier = MakePlatformVerifier({
//       .users_channel = channel, .users_issuer = "backoffice-users", .users_audience =
//       "backoffice", .service_jwks_path = flag_value, .services = {.audience =
//       "backoffice-roles"}});
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
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
};

absl::StatusOr<std::shared_ptr<const jwt::TokenVerifier>> MakePlatformVerifier(
    const PlatformVerifierOptions& options);

}  // namespace backoffice::auth
