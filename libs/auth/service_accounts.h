// The trusting side of service-account tokens (service_token.h): a service that accepts calls
// from other services as themselves loads their public keys from a JWKS file and trusts them as
// one more issuer of its verifier.
//
//   absl::StatusOr<std::optional<jwt::TrustedIssuer>> services =
//       LoadServiceIssuer(flag_value, {.audience = "backoffice-roles"});
//   if (*services) issuers.push_back(**services);   // nullopt: no file configured
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/jwt/multi_issuer_verifier.h"

namespace backoffice::auth {

/// What service-account tokens must carry.
struct ServiceIssuerOptions {
  std::string issuer = "backoffice-services";
  /// The accepting service's audience, e.g. "backoffice-audit".
  std::string audience;
  /// Longest accepted lifetime (service tokens are minted for 5 minutes).
  absl::Duration max_lifetime = absl::Hours(1);
  /// Names the setting in errors.
  std::string flag = "--service_jwks_file";
};

/// Reads a JWKS file (`jwks_path`) of service keys. nullopt when `jwks_path` is empty; an error
/// naming the flag when the file cannot be read, does not parse or holds no usable key.
absl::StatusOr<std::optional<jwt::TrustedIssuer>> LoadServiceIssuer(
    const std::string& jwks_path, const ServiceIssuerOptions& options);

/// Reads a whole file; errors name `flag`.
absl::StatusOr<std::string> ReadFileForFlag(const std::string& path, const std::string& flag);

}  // namespace backoffice::auth
