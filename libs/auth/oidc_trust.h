// Trusting external OpenID Connect issuers (--oidc_issuer) the same way in the BFF and in every
// service: the same audience and typ rules, keys from the issuer's JWKS URL, and callers marked
// as external principals (Caller::Kind::kExternal).
//
//   absl::StatusOr<std::unique_ptr<CallAuthenticator>> authenticator =
//       MakeCallAuthenticator({users_issuer, service_issuer}, oidc_issuers);
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/auth/call_authenticator.h"
#include "libs/auth/oidc_issuer.h"
#include "libs/jwt/jwks_cache.h"
#include "libs/jwt/jwks_fetcher.h"
#include "libs/jwt/multi_issuer_verifier.h"
#include "libs/jwt/verifier.h"

namespace backoffice::auth {

/// What an external issuer's access tokens must carry: `aud` = its configured audience, typ
/// "at+jwt" or "JWT" (most providers write "JWT" in access tokens; ID tokens are kept out by
/// `aud`).
jwt::VerifierOptions OidcVerifierOptions(const OidcIssuer& oidc);

/// An HttpJwksFetcher for `oidc.jwks_url`; INVALID_ARGUMENT "--oidc_issuer <iss>: ..." when the
/// URL is not https (or http to loopback) or does not parse.
absl::StatusOr<jwt::JwksFetcherPtr> MakeOidcJwksFetcher(const OidcIssuer& oidc);

/// One TrustedIssuer per external issuer, its keys in a JwksCache over its JWKS URL: fetched on
/// first use, again when the set is older than 5 minutes and when a token names a kid the set
/// lacks (at most one fetch per 10 s, so forged kids cannot hammer the issuer); `cache` changes
/// those (tests). Errors as MakeOidcJwksFetcher.
absl::StatusOr<std::vector<jwt::TrustedIssuer>> OidcTrustedIssuers(
    const std::vector<OidcIssuer>& oidc_issuers, const jwt::JwksCacheOptions& cache = {});

/// The `iss` values of `oidc_issuers`.
std::vector<std::string> IssuerNames(const std::vector<OidcIssuer>& oidc_issuers);

/// A service's CallAuthenticator: a MultiIssuerVerifier over `platform_issuers` (the users
/// service, service accounts) and every external issuer (OidcTrustedIssuers), verified tokens
/// cached until they expire (jwt::CachingVerifier), the external issuers' principals made
/// Caller::Kind::kExternal. INVALID_ARGUMENT for a bad JWKS URL or an issuer named twice.
absl::StatusOr<std::unique_ptr<CallAuthenticator>> MakeCallAuthenticator(
    std::vector<jwt::TrustedIssuer> platform_issuers, const std::vector<OidcIssuer>& oidc_issuers,
    const jwt::JwksCacheOptions& cache = {});

}  // namespace backoffice::auth
