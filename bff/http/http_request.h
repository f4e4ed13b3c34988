#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bff/http/http_headers.h"
#include "bff/http/principal.h"

namespace backoffice::bff::http {

/// One HTTP request as route handlers see it. The server fills it from the wire (Beast stays in
/// the server); the gateway adds the request id, trace context, route and principal.
struct HttpRequest {
  /// Upper-case method token ("GET", "POST", ...).
  std::string method;
  /// The request target as sent ("/api/users?_start=0").
  std::string target;
  /// The path part of the target, still percent-encoded ("/api/users/abc").
  std::string path;
  /// The query part of the target without '?', still percent-encoded.
  std::string query;
  /// Header fields with lower-case names; headers a client must not set are already removed.
  HttpHeaders headers;
  /// The body (at most the route's body limit).
  std::string body;
  /// The client's IP address: the peer, or the X-Forwarded-For hop a trusted proxy reported.
  std::string client_address;

  /// The request id echoed in X-Request-Id and sent to services as x-request-id.
  std::string request_id;
  /// The W3C traceparent passed to services (the caller's if valid, else a fresh one).
  std::string traceparent;
  /// The trace id inside `traceparent`.
  std::string trace_id;

  /// The pattern of the matched route ("/api/users/{id}"), "" before routing.
  std::string route_pattern;
  /// Values of the `{name}` segments of the matched route, percent-decoded.
  std::vector<std::pair<std::string, std::string>> path_params;
  /// Set by the Authenticator when the request carried valid credentials.
  std::optional<Principal> principal;

  /// The value of path parameter `name` ("" when the route has no such segment).
  std::string_view PathParam(std::string_view name) const {
    for (const auto& [key, value] : path_params) {
      if (key == name) {
        return value;
      }
    }
    return {};
  }
};

}  // namespace backoffice::bff::http
