#pragma once

#include <string>
#include <string_view>

#include "bff/http/http_headers.h"

namespace backoffice::bff::http {

/// Content types the BFF answers with.
inline constexpr char kJsonContentType[] = "application/json";
inline constexpr char kProblemContentType[] = "application/problem+json";

/// One HTTP response as route handlers build it. The gateway adds X-Request-Id, CORS and
/// security headers; the server adds Content-Length, Date and Connection.
struct HttpResponse {
  int status = 200;
  HttpHeaders headers;
  std::string body;

  /// A response with `body` already serialized as JSON.
  static HttpResponse Json(int status, std::string body) {
    HttpResponse response;
    response.status = status;
    response.headers.Set("Content-Type", kJsonContentType);
    response.body = std::move(body);
    return response;
  }

  /// A text/plain response.
  static HttpResponse Text(int status, std::string body) {
    HttpResponse response;
    response.status = status;
    response.headers.Set("Content-Type", "text/plain; charset=utf-8");
    response.body = std::move(body);
    return response;
  }

  /// A response without a body (204 by default).
  static HttpResponse Empty(int status = 204) {
    HttpResponse response;
    response.status = status;
    return response;
  }
};

}  // namespace backoffice::bff::http
