#include "bff/app/auth_routes.h"

#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bff/app/cookies.h"
#include "bff/app/route_support.h"
#include "bff/app/token_authenticator.h"
#include "bff/app/user_json.h"
#include "bff/http/json_body.h"
#include "bff/http/problem.h"
#include "libs/errors/error_details.h"

namespace backoffice::bff::app {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using http::FieldSpec;
using http::HttpRequest;
using http::HttpResponse;
using http::JsonType;
using Stub = users::v1::UsersService::Stub;

std::string StringMember(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->get_string()) : "";
}

void FillClient(const HttpRequest& request, users::v1::ClientInfo& client) {
  client.set_ip_address(request.client_address.substr(0, 45));
  client.set_user_agent(std::string(request.headers.Get("user-agent").substr(0, 512)));
}

int64_t RefreshMaxAge(const users::v1::TokenPair& tokens) {
  absl::Time expires = absl::FromUnixSeconds(tokens.refresh_token_expire_time().seconds());
  return std::max<int64_t>(0, absl::ToInt64Seconds(expires - absl::Now()));
}

// The three session cookies for a fresh token pair (a new CSRF token each time).
void SetSessionCookies(HttpResponse& response, const users::v1::TokenPair& tokens) {
  int64_t refresh_max_age = RefreshMaxAge(tokens);
  response.headers.Add("Set-Cookie",
                       SetCookieValue(kAccessCookie, tokens.access_token(),
                                      tokens.access_token_expires_in().seconds(), true));
  response.headers.Add(
      "Set-Cookie", SetCookieValue(kRefreshCookie, tokens.refresh_token(), refresh_max_age, true));
  response.headers.Add("Set-Cookie",
                       SetCookieValue(kCsrfCookie, NewCsrfToken(), refresh_max_age, false));
}

void ClearSessionCookies(HttpResponse& response) {
  response.headers.Add("Set-Cookie", ClearCookieValue(kAccessCookie, true));
  response.headers.Add("Set-Cookie", ClearCookieValue(kRefreshCookie, true));
  response.headers.Add("Set-Cookie", ClearCookieValue(kCsrfCookie, false));
}

json::object ChallengeJson(const users::v1::SecondFactorChallenge& challenge) {
  json::array methods;
  for (int method : challenge.methods()) {
    if (method == users::v1::SECOND_FACTOR_METHOD_TOTP) {
      methods.push_back("totp");
    } else if (method == users::v1::SECOND_FACTOR_METHOD_RECOVERY_CODE) {
      methods.push_back("recoveryCode");
    }
  }
  return {{"secondFactorRequired", true},
          {"challenge", challenge.challenge_token()},
          {"methods", std::move(methods)},
          {"expireTime", TimestampJson(challenge.expire_time(), challenge.has_expire_time())}};
}

json::object TokensJson(const users::v1::TokenPair& tokens) {
  return {{"accessToken", tokens.access_token()},
          {"tokenType", tokens.token_type().empty() ? "Bearer" : tokens.token_type()},
          {"expiresIn", tokens.access_token_expires_in().seconds()},
          {"refreshToken", tokens.refresh_token()},
          {"refreshTokenExpireTime", TimestampJson(tokens.refresh_token_expire_time(),
                                                   tokens.has_refresh_token_expire_time())}};
}

// A login step's answer for browsers: cookies and the user, or the challenge.
HttpResponse BrowserLoginAnswer(const users::v1::LoginResponse& login) {
  if (login.has_challenge()) {
    return http::JsonResponse(200, ChallengeJson(login.challenge()));
  }
  HttpResponse response = http::JsonResponse(
      200,
      json::object{{"user", UserToJson(login.user())},
                   {"sessionId", login.session_id()},
                   {"accessTokenExpiresIn", login.tokens().access_token_expires_in().seconds()}});
  SetSessionCookies(response, login.tokens());
  return response;
}

// Fills a CompleteLoginRequest from {challenge, totpCode | recoveryCode}.
absl::Status FillSecondFactor(const json::object& body, users::v1::CompleteLoginRequest& out) {
  out.set_challenge_token(StringMember(body, "challenge"));
  bool totp = body.contains("totpCode");
  bool recovery = body.contains("recoveryCode");
  if (totp == recovery) {
    return http::WithFieldErrors(
        absl::InvalidArgumentError("send totpCode or recoveryCode"),
        {{totp ? "recoveryCode" : "totpCode", "send exactly one of totpCode and recoveryCode"}});
  }
  if (totp) {
    out.set_totp_code(StringMember(body, "totpCode"));
  } else {
    out.set_recovery_code(StringMember(body, "recoveryCode"));
  }
  return absl::OkStatus();
}

asio::awaitable<HttpResponse> Login(UsersApi users, HttpRequest& request) {
  static const FieldSpec kSchema[] = {{"email", JsonType::kString, true},
                                      {"password", JsonType::kString, true}};
  absl::StatusOr<json::object> body = http::ReadJsonObject(request, kSchema);
  if (!body.ok()) {
    co_return http::ProblemResponse(request, body.status());
  }
  users::v1::LoginRequest login;
  login.set_email(StringMember(*body, "email"));
  login.set_password(StringMember(*body, "password"));
  FillClient(request, *login.mutable_client());
  absl::StatusOr<users::v1::LoginResponse> result =
      co_await users.client->Call(request, "Login", &Stub::async::Login, users.async(), login);
  if (!result.ok()) {
    co_return http::ProblemResponse(request, result.status());
  }
  co_return BrowserLoginAnswer(*result);
}

asio::awaitable<HttpResponse> SecondFactor(UsersApi users, HttpRequest& request) {
  static const FieldSpec kSchema[] = {{"challenge", JsonType::kString, true},
                                      {"totpCode", JsonType::kString},
                                      {"recoveryCode", JsonType::kString}};
  absl::StatusOr<json::object> body = http::ReadJsonObject(request, kSchema);
  if (!body.ok()) {
    co_return http::ProblemResponse(request, body.status());
  }
  users::v1::CompleteLoginRequest complete;
  if (absl::Status filled = FillSecondFactor(*body, complete); !filled.ok()) {
    co_return http::ProblemResponse(request, filled);
  }
  FillClient(request, *complete.mutable_client());
  absl::StatusOr<users::v1::LoginResponse> result = co_await users.client->Call(
      request, "CompleteLogin", &Stub::async::CompleteLogin, users.async(), complete);
  if (!result.ok()) {
    co_return http::ProblemResponse(request, result.status());
  }
  co_return BrowserLoginAnswer(*result);
}

asio::awaitable<HttpResponse> Refresh(UsersApi users, HttpRequest& request) {
  std::optional<std::string_view> cookie = GetCookie(request.headers, kRefreshCookie);
  if (!cookie.has_value() || cookie->empty()) {
    HttpResponse response = http::ProblemResponse(
        request, absl::UnauthenticatedError("no session: the __Host-refresh cookie is missing"));
    ClearSessionCookies(response);
    co_return response;
  }
  if (absl::Status csrf = CheckCsrf(request); !csrf.ok()) {
    co_return http::ProblemResponse(request, csrf);
  }
  users::v1::RefreshRequest refresh;
  refresh.set_refresh_token(std::string(*cookie));
  FillClient(request, *refresh.mutable_client());
  absl::StatusOr<users::v1::TokenPair> tokens = co_await users.client->Call(
      request, "Refresh", &Stub::async::Refresh, users.async(), refresh);
  if (!tokens.ok()) {
    HttpResponse response = http::ProblemResponse(request, tokens.status());
    if (tokens.status().code() == absl::StatusCode::kUnauthenticated) {
      ClearSessionCookies(response);  // revoked, expired or reused: this session is over
    }
    co_return response;
  }
  HttpResponse response = http::JsonResponse(
      200, json::object{
               {"accessTokenExpiresIn", tokens->access_token_expires_in().seconds()},
               {"refreshTokenExpireTime", TimestampJson(tokens->refresh_token_expire_time(),
                                                        tokens->has_refresh_token_expire_time())}});
  SetSessionCookies(response, *tokens);
  co_return response;
}

asio::awaitable<HttpResponse> Logout(UsersApi users, HttpRequest& request) {
  std::optional<std::string_view> refresh_cookie = GetCookie(request.headers, kRefreshCookie);
  bool bearer = request.headers.Has("authorization");
  bool cookies = refresh_cookie.has_value() || GetCookie(request.headers, kAccessCookie);
  if (!bearer && cookies) {
    if (absl::Status csrf = CheckCsrf(request); !csrf.ok()) {
      co_return http::ProblemResponse(request, csrf);
    }
  }
  downstream::CallMetadata metadata = downstream::CallMetadata::From(request);
  users::v1::LogoutRequest logout;
  if (refresh_cookie.has_value() && !refresh_cookie->empty()) {
    logout.set_refresh_token(std::string(*refresh_cookie));
    if (!request.principal.has_value()) {
      // Logout needs an access token; with only the refresh cookie left, rotate it once to get
      // one, and end the session by the rotated refresh token.
      users::v1::RefreshRequest refresh;
      refresh.set_refresh_token(std::string(*refresh_cookie));
      FillClient(request, *refresh.mutable_client());
      absl::StatusOr<users::v1::TokenPair> tokens = co_await users.client->Call(
          request, "Refresh", &Stub::async::Refresh, users.async(), refresh);
      if (tokens.ok()) {
        metadata.authorization = absl::StrCat("Bearer ", tokens->access_token());
        logout.set_refresh_token(tokens->refresh_token());
      } else if (tokens.status().code() == absl::StatusCode::kUnauthenticated) {
        HttpResponse response = HttpResponse::Empty(204);  // nothing left to end
        ClearSessionCookies(response);
        co_return response;
      } else {
        co_return http::ProblemResponse(request, tokens.status());
      }
    }
  } else if (!request.principal.has_value()) {
    HttpResponse response = HttpResponse::Empty(204);
    ClearSessionCookies(response);
    co_return response;
  }
  absl::StatusOr<google::protobuf::Empty> ended =
      co_await users.client->Call(metadata, "Logout", &Stub::async::Logout, users.async(), logout);
  HttpResponse response =
      ended.ok() ? HttpResponse::Empty(204) : http::ProblemResponse(request, ended.status());
  ClearSessionCookies(response);
  co_return response;
}

// POST /api/auth/token: one of {email, password}, {refreshToken}, or {challenge, totpCode |
// recoveryCode}; tokens in the body.
asio::awaitable<HttpResponse> Token(UsersApi users, HttpRequest& request) {
  static const FieldSpec kSchema[] = {
      {"email", JsonType::kString},        {"password", JsonType::kString},
      {"refreshToken", JsonType::kString}, {"challenge", JsonType::kString},
      {"totpCode", JsonType::kString},     {"recoveryCode", JsonType::kString}};
  absl::StatusOr<json::object> body = http::ReadJsonObject(request, kSchema);
  if (!body.ok()) {
    co_return http::ProblemResponse(request, body.status());
  }
  bool password = body->contains("email") || body->contains("password");
  bool refresh = body->contains("refreshToken");
  bool second = body->contains("challenge");
  if (password + refresh + second != 1) {
    co_return http::ProblemResponse(
        request, http::ValidationProblem(
                     "email", "send {email, password}, {refreshToken} or {challenge, totpCode}"));
  }
  if (refresh) {
    users::v1::RefreshRequest refresh_request;
    refresh_request.set_refresh_token(StringMember(*body, "refreshToken"));
    FillClient(request, *refresh_request.mutable_client());
    absl::StatusOr<users::v1::TokenPair> tokens = co_await users.client->Call(
        request, "Refresh", &Stub::async::Refresh, users.async(), refresh_request);
    if (!tokens.ok()) {
      co_return http::ProblemResponse(request, tokens.status());
    }
    co_return http::JsonResponse(200, TokensJson(*tokens));
  }
  absl::StatusOr<users::v1::LoginResponse> result;
  if (password) {
    if (!body->contains("email") || !body->contains("password")) {
      co_return http::ProblemResponse(
          request,
          http::ValidationProblem(body->contains("email") ? "password" : "email", "is required"));
    }
    users::v1::LoginRequest login;
    login.set_email(StringMember(*body, "email"));
    login.set_password(StringMember(*body, "password"));
    FillClient(request, *login.mutable_client());
    result =
        co_await users.client->Call(request, "Login", &Stub::async::Login, users.async(), login);
  } else {
    users::v1::CompleteLoginRequest complete;
    if (absl::Status filled = FillSecondFactor(*body, complete); !filled.ok()) {
      co_return http::ProblemResponse(request, filled);
    }
    FillClient(request, *complete.mutable_client());
    result = co_await users.client->Call(request, "CompleteLogin", &Stub::async::CompleteLogin,
                                         users.async(), complete);
  }
  if (!result.ok()) {
    co_return http::ProblemResponse(request, result.status());
  }
  if (result->has_challenge()) {
    co_return http::JsonResponse(200, ChallengeJson(result->challenge()));
  }
  json::object answer = TokensJson(result->tokens());
  answer["user"] = UserToJson(result->user());
  answer["sessionId"] = result->session_id();
  co_return http::JsonResponse(200, answer);
}

}  // namespace

absl::Status AddAuthRoutes(http::Router& router, const UsersApi& users) {
  static const RouteEntry<UsersApi> kRoutes[] = {
      {"POST", "/api/auth/login", http::kPublic, &Login, true},
      {"POST", "/api/auth/login/second-factor", http::kPublic, &SecondFactor, true},
      {"POST", "/api/auth/refresh", http::kPublic, &Refresh},
      {"POST", "/api/auth/logout", http::kPublic, &Logout},
      {"POST", "/api/auth/token", http::kPublic, &Token, true},
  };
  return AddRouteTable(router, users, kRoutes);
}

}  // namespace backoffice::bff::app
