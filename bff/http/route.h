#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "bff/http/http_request.h"
#include "bff/http/http_response.h"

namespace backoffice::bff::http {

/// Permission sentinels for Route::permission.
/// Anyone may call the route, signed in or not (login, health).
inline constexpr char kPublic[] = "public";
/// Any signed-in caller may call it (/api/me).
inline constexpr char kAuthenticated[] = "authenticated";

/// A route handler: a coroutine that answers one request. It runs on the connection's I/O
/// thread and must never block (await downstream calls instead). A handler answers errors with
/// ProblemResponse(); an exception escaping it becomes a 500 problem.
using Handler = std::function<boost::asio::awaitable<HttpResponse>(HttpRequest& request)>;

/// One entry of the route table.
///
///   router.Add({.method = "GET", .pattern = "/api/users/{id}", .permission = "users:read",
///               .handler = [&](HttpRequest& request) -> boost::asio::awaitable<HttpResponse> {
///                 co_return JsonResponse(200, {{"id", request.PathParam("id")}});
///               }});
struct Route {
  /// "GET", "POST", "PUT", "PATCH" or "DELETE". GET routes answer HEAD too.
  std::string method;
  /// Literal segments and `{name}` segments that match one non-empty path segment:
  /// "/api/users/{id}/sessions".
  std::string pattern;
  /// The permission the caller needs ("users:read"), or kPublic / kAuthenticated.
  std::string permission;
  Handler handler;
  /// Login-like route: counted against the stricter login rate limit.
  bool login = false;
  /// Body limit for this route (e.g. CSV import); the server's --max_body_bytes when unset.
  std::optional<size_t> max_body_bytes;
};

}  // namespace backoffice::bff::http
