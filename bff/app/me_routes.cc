#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "bff/app/user_json.h"
#include "bff/app/users_routes.h"
#include "bff/http/json_body.h"
#include "bff/http/problem.h"

namespace backoffice::bff::app {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using http::HttpRequest;
using http::HttpResponse;
using Stub = users::v1::UsersService::Stub;

json::array Strings(const std::vector<std::string>& values) {
  json::array out;
  for (const std::string& value : values) {
    out.push_back(json::string(value));
  }
  return out;
}

// GET /api/me: the caller as every service sees them. Each part that is absent or failed is
// null and listed in `missing`; the request itself succeeds. Only the users service exists
// today; the roles and notifications slots stay missing until their clients are wired here (then
// they join the users call in one downstream::FanOut).
asio::awaitable<HttpResponse> Me(UsersApi users, HttpRequest& request) {
  const http::Principal& principal = *request.principal;
  json::array missing;
  json::object answer;
  answer["id"] = principal.subject;
  answer["issuer"] = principal.issuer;
  answer["sessionId"] =
      principal.session_id.empty() ? json::value(nullptr) : json::value(principal.session_id);
  answer["permissions"] = Strings(principal.permissions);

  users::v1::GetUserRequest get;
  get.set_id(principal.subject);
  absl::StatusOr<users::v1::User> user = co_await users.client->Call(
      request, "GetUser", &Stub::async::GetUser, users.async(), get, {.idempotent = true});
  if (user.ok()) {
    answer["user"] = UserToJson(*user);
  } else {
    answer["user"] = nullptr;
    missing.push_back("user");
  }
  answer["roles"] = nullptr;  // roles service: not wired yet
  missing.push_back("roles");
  answer["notifications"] = nullptr;  // notifications service: not wired yet
  missing.push_back("notifications");
  answer["missing"] = std::move(missing);
  co_return http::JsonResponse(200, answer);
}

}  // namespace

absl::Status AddMeRoutes(http::Router& router, const UsersApi& users) {
  return router.Add({
      .method = "GET",
      .pattern = "/api/me",
      .permission = http::kAuthenticated,
      .handler = [users](HttpRequest& request) { return Me(users, request); },
  });
}

}  // namespace backoffice::bff::app
