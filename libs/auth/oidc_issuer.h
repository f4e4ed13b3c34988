// External OpenID Connect issuers as the BFF and the services are told about them:
// `--oidc_issuer=issuer|jwks_url|audience`, repeatable.
//
//   absl::StatusOr<OidcIssuer> idp = ParseOidcIssuer("https://idp.example|https://idp.example/"
//                                                    "jwks|api://backoffice");
//   std::vector<std::string> values = RepeatedFlagValues(argc, argv, "oidc_issuer");
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace backoffice::auth {

/// An external OpenID Connect issuer, from `--oidc_issuer=issuer|jwks_url|audience`.
struct OidcIssuer {
  /// The exact `iss` of its access tokens.
  std::string issuer;
  /// Where its JWKS is (https, or http to loopback for tests).
  std::string jwks_url;
  /// The `aud` its access tokens for this platform carry.
  std::string audience;
};

/// Parses "issuer|jwks_url|audience" (all three non-empty); INVALID_ARGUMENT naming the flag
/// otherwise.
absl::StatusOr<OidcIssuer> ParseOidcIssuer(std::string_view flag);

/// Every value of the flag `name` on a command line, in order: `--name=v`, `-name=v`,
/// `--name v` and `-name v`, up to a bare `--`. Abseil keeps only the last occurrence of a
/// repeated flag; this keeps them all.
std::vector<std::string> RepeatedFlagValues(int argc, char** argv, std::string_view name);

}  // namespace backoffice::auth
