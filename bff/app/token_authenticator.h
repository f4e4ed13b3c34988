#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "bff/app/jwks_refresher.h"
#include "bff/http/auth_hooks.h"
#include "libs/jwt/token_verifier.h"

namespace backoffice::bff::app {

/// How the TokenAuthenticator turns verified claims into a principal.
struct TokenAuthenticatorOptions {
  /// The users service's `iss`: its tokens carry the session id (`sid`).
  std::string users_issuer = "backoffice-users";
};

/// The BFF's Authenticator: the access token comes from `Authorization: Bearer` (non-browser
/// clients; it wins when both are present) or from the `__Host-access` cookie (browsers). It is
/// verified by `verifier` (a CachingVerifier over a MultiIssuerVerifier whose key sources are
/// SnapshotKeySources, so verification never fetches on the I/O thread).
///
/// Unknown kid: the request asks `refresher` for a background JWKS refresh and awaits it (the
/// coroutine suspends; the I/O thread serves others), then verifies once more. While on-demand
/// refreshes are rate limited (a forged kid was just tried), it answers 401 at once.
///
/// CSRF (double submit): a request authenticated by cookie with an unsafe method must carry
/// `X-CSRF-Token` equal to the `__Host-csrf` cookie (constant-time compare), else
/// PERMISSION_DENIED (→ 403). Bearer requests are exempt (a browser never adds that header on
/// its own, so a cross-site page cannot ride on it).
class TokenAuthenticator final : public http::Authenticator {
 public:
  TokenAuthenticator(std::shared_ptr<const jwt::TokenVerifier> verifier,
                     std::shared_ptr<JwksRefresher> refresher, TokenAuthenticatorOptions options);

  boost::asio::awaitable<absl::Status> Authenticate(http::HttpRequest& request) override;

 private:
  absl::StatusOr<jwt::Claims> Verify(std::string_view token) const;

  std::shared_ptr<const jwt::TokenVerifier> verifier_;
  std::shared_ptr<JwksRefresher> refresher_;
  TokenAuthenticatorOptions options_;
};

/// Checks the CSRF double submit on `request` (cookie equals header, both non-empty);
/// PERMISSION_DENIED when it fails. Routes that act on cookies without an access token (refresh,
/// logout) call it themselves.
absl::Status CheckCsrf(const http::HttpRequest& request);

}  // namespace backoffice::bff::app
