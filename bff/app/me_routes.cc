#include "bff/app/me_routes.h"

#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include "bff/app/permissions.h"
#include "bff/app/user_json.h"
#include "bff/downstream/fan_out.h"
#include "bff/http/json_body.h"
#include "bff/http/problem.h"

namespace backoffice::bff::app {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using http::HttpRequest;
using http::HttpResponse;

json::array Strings(const std::vector<std::string>& values) {
  json::array out;
  for (const std::string& value : values) {
    out.push_back(json::string(value));
  }
  return out;
}

json::object RoleToMeJson(const roles::v1::UserRole& held) {
  json::object role;
  role["id"] = held.role().id();
  role["name"] = held.role().name();
  role["displayName"] = held.role().display_name();
  role["system"] = held.role().system();
  role["expireTime"] = TimestampJson(held.grant().expire_time(), held.grant().has_expire_time());
  return role;
}

// The caller's account, from the users cache or GetUser. Only users-service principals have one
// (an external issuer's subject is not an account id, even when it looks like one).
asio::awaitable<absl::StatusOr<std::shared_ptr<const CachedUser>>> OwnAccount(
    UsersApi users, const HttpRequest& request, bool governed) {
  if (!governed) co_return absl::NotFoundError("not an account of the users service");
  co_return co_await FindUser(users, request, request.principal->subject);
}

// GET /api/me: the caller as every service sees them, asked in parallel. Each part that failed
// is null and listed in `missing`; the request itself succeeds. For users-service accounts
// `roles` are their direct grants and `permissions` the effective ones (inheritance resolved),
// both from RolesPermissions' caches while its watch is live, and the account from the users
// cache while the users watch is live;
// for external issuers both are the token's claims. The notifications slot stays missing until that
// service's client is wired here.
asio::awaitable<HttpResponse> Me(UsersApi users, RolesPermissions* permissions,
                                 HttpRequest& request) {
  const http::Principal& principal = *request.principal;
  json::array missing;
  json::object answer;
  answer["id"] = principal.subject;
  answer["issuer"] = principal.issuer;
  answer["sessionId"] =
      principal.session_id.empty() ? json::value(nullptr) : json::value(principal.session_id);

  bool governed = permissions->Governs(principal);
  auto [user, held, effective] =
      co_await downstream::FanOut(OwnAccount(users, request, governed),
                                  permissions->RolesOf(request), permissions->Of(request));
  if (user.ok()) {
    answer["user"] = json::parse((*user)->body);
  } else {
    answer["user"] = nullptr;
    missing.push_back("user");
  }
  if (!governed) {
    json::array from_token;  // the token's role names, in the same shape
    for (const std::string& name : principal.roles) {
      from_token.push_back(json::object{{"id", nullptr},
                                        {"name", name},
                                        {"displayName", name},
                                        {"system", false},
                                        {"expireTime", nullptr}});
    }
    answer["roles"] = std::move(from_token);
  } else if (held.ok()) {
    json::array list_out;
    for (const roles::v1::UserRole& role : (*held)->answer.roles()) {
      list_out.push_back(RoleToMeJson(role));
    }
    answer["roles"] = std::move(list_out);
  } else {
    answer["roles"] = nullptr;
    missing.push_back("roles");
  }
  if (!governed) {
    answer["permissions"] = Strings(principal.permissions);
  } else if (effective.ok()) {
    answer["permissions"] = Strings((*effective)->permissions);
  } else {
    answer["permissions"] = nullptr;
    missing.push_back("permissions");
  }
  answer["notifications"] = nullptr;  // notifications service: not wired yet
  missing.push_back("notifications");
  answer["missing"] = std::move(missing);
  co_return http::JsonResponse(200, answer);
}

}  // namespace

absl::Status AddMeRoutes(http::Router& router, const UsersApi& users,
                         RolesPermissions& permissions) {
  return router.Add({
      .method = "GET",
      .pattern = "/api/me",
      .permission = http::kAuthenticated,
      .handler = [users, permissions = &permissions](
                     HttpRequest& request) { return Me(users, permissions, request); },
  });
}

}  // namespace backoffice::bff::app
