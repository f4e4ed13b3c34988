#include "bff/app/token_authenticator.h"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bff/app/cookies.h"

namespace backoffice::bff::app {
namespace {

namespace asio = boost::asio;

// Starts a wait for the next background JWKS refresh: completes with true once it finished, or
// with false at once when the refresher refused (rate limited or stopped). A named function
// object, not a lambda: GCC 12 destroys capturing lambdas made inside co_await expressions twice.
struct InitiateRefreshWait {
  JwksRefresher* refresher;

  template <typename Handler>
  void operator()(Handler handler) const {
    auto shared = std::make_shared<Handler>(std::move(handler));
    auto complete = [shared](bool refreshed) {
      auto executor = asio::get_associated_executor(*shared);
      asio::post(executor, [shared, refreshed]() mutable { std::move (*shared)(refreshed); });
    };
    if (!refresher->RequestRefresh([complete] { complete(true); })) {
      complete(false);
    }
  }
};

asio::awaitable<bool> AwaitRefresh(JwksRefresher* refresher) {
  bool refreshed = co_await asio::async_initiate<decltype(asio::use_awaitable), void(bool)>(
      InitiateRefreshWait{refresher}, asio::use_awaitable);
  co_return refreshed;
}

std::vector<std::string> StringArrayClaim(const jwt::Claims& claims, std::string_view name) {
  std::vector<std::string> values;
  const boost::json::value* value = claims.payload.if_contains(name);
  if (value == nullptr || !value->is_array()) {
    return values;
  }
  for (const boost::json::value& item : value->get_array()) {
    if (item.is_string()) {
      values.emplace_back(item.get_string());
    }
  }
  return values;
}

}  // namespace

absl::Status CheckCsrf(const http::HttpRequest& request) {
  std::optional<std::string_view> cookie = GetCookie(request.headers, kCsrfCookie);
  std::string_view header = request.headers.Get(kCsrfHeader);
  if (!cookie.has_value() || cookie->empty() || header.empty()) {
    return absl::PermissionDeniedError(
        "CSRF token missing: send the __Host-csrf cookie's value in X-CSRF-Token");
  }
  if (!ConstantTimeEquals(*cookie, header)) {
    return absl::PermissionDeniedError("CSRF token does not match the __Host-csrf cookie");
  }
  return absl::OkStatus();
}

TokenAuthenticator::TokenAuthenticator(std::shared_ptr<const jwt::TokenVerifier> verifier,
                                       std::shared_ptr<JwksRefresher> refresher,
                                       TokenAuthenticatorOptions options)
    : verifier_(std::move(verifier)),
      refresher_(std::move(refresher)),
      options_(std::move(options)) {}

absl::StatusOr<jwt::Claims> TokenAuthenticator::Verify(std::string_view token) const {
  SnapshotKeySource::ResetMiss();
  return verifier_->Verify(token, absl::Now());
}

asio::awaitable<absl::Status> TokenAuthenticator::Authenticate(http::HttpRequest& request) {
  std::string token;
  bool from_cookie = false;
  if (request.headers.Has("authorization")) {
    std::string_view header = request.headers.Get("authorization");
    absl::string_view text(header.data(), header.size());
    if (text.size() < 7 || !absl::EqualsIgnoreCase(text.substr(0, 7), "Bearer ")) {
      co_return absl::UnauthenticatedError("Authorization must be \"Bearer <token>\"");
    }
    token = std::string(absl::StripAsciiWhitespace(text.substr(7)));
  } else if (std::optional<std::string_view> cookie = GetCookie(request.headers, kAccessCookie);
             cookie.has_value() && !cookie->empty()) {
    token = std::string(*cookie);
    from_cookie = true;
  } else {
    co_return absl::OkStatus();  // anonymous
  }
  if (token.empty()) {
    co_return absl::UnauthenticatedError("the bearer token is empty");
  }

  absl::StatusOr<jwt::Claims> claims = Verify(token);
  if (!claims.ok() && SnapshotKeySource::Missed() && refresher_ != nullptr) {
    if (co_await AwaitRefresh(refresher_.get())) {
      claims = Verify(token);
    }
  }
  if (!claims.ok()) {
    co_return absl::UnauthenticatedError(
        absl::StrCat("access token refused: ", claims.status().message()));
  }
  if (from_cookie && IsUnsafeMethod(request.method)) {
    if (absl::Status csrf = CheckCsrf(request); !csrf.ok()) {
      co_return csrf;
    }
  }

  http::Principal principal;
  principal.subject = claims->sub;
  principal.issuer = claims->iss;
  principal.roles = claims->roles;
  bool from_users = claims->iss == options_.users_issuer;
  if (from_users) {
    principal.session_id = claims->sid;
  }
  // External issuers' grants travel in the token; users-service accounts' come from the roles
  // service (bff/app/permissions.h), never from the token.
  if (!from_users && claims->payload.contains("permissions")) {
    principal.permissions = StringArrayClaim(*claims, "permissions");
  }
  principal.authorization = absl::StrCat("Bearer ", token);
  request.principal = std::move(principal);
  co_return absl::OkStatus();
}

}  // namespace backoffice::bff::app
