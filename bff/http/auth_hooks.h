#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "bff/http/http_request.h"

namespace backoffice::bff::http {

/// Proves who sent a request. Domain code (JWT and session cookies) implements it; the gateway
/// calls it once per routed request, before the per-user rate limit and authorization.
class Authenticator {
 public:
  virtual ~Authenticator() = default;

  /// Sets `request.principal` when the request carries valid credentials and leaves it empty for
  /// an anonymous request. A non-OK status (bad, expired or forged credentials) becomes a problem
  /// response on every route except kPublic ones, where the request goes on as anonymous:
  /// PERMISSION_DENIED (credentials fine, request refused, e.g. a CSRF check) → 403, anything
  /// else → 401.
  virtual boost::asio::awaitable<absl::Status> Authenticate(HttpRequest& request) = 0;
};

/// Decides whether the authenticated principal may use a route that declares `permission`.
/// Called only for routes whose permission is neither kPublic nor kAuthenticated, and only with a
/// principal present (the gateway answers 401 otherwise).
class Authorizer {
 public:
  virtual ~Authorizer() = default;

  /// OK to proceed; PERMISSION_DENIED (→ 403) or any other status to refuse.
  virtual boost::asio::awaitable<absl::Status> Authorize(const HttpRequest& request,
                                                         std::string_view permission) = 0;
};

/// The principal's `permissions` claim must contain the permission or "*". The gateway's default,
/// and how the BFF authorizes principals of external OIDC issuers (bff/app/permissions.h asks the
/// roles service for everyone else).
class ClaimAuthorizer final : public Authorizer {
 public:
  boost::asio::awaitable<absl::Status> Authorize(const HttpRequest& request,
                                                 std::string_view permission) override;
};

/// Names the user a request counts against for per-user rate limits; "" means none (anonymous).
class UserKeyProvider {
 public:
  virtual ~UserKeyProvider() = default;
  virtual std::string UserKey(const HttpRequest& request) const = 0;
};

/// The default UserKeyProvider: the principal's subject.
class SubjectUserKey final : public UserKeyProvider {
 public:
  std::string UserKey(const HttpRequest& request) const override;
};

}  // namespace backoffice::bff::http
