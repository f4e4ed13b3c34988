#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "bff/http/http_request.h"
#include "bff/http/http_response.h"

namespace backoffice::bff::http {

/// CORS for an allow-list of origins, with credentials (cookies) allowed. Origins compare
/// exactly ("https://admin.example.com", scheme and port included); "*" is refused because it
/// cannot be combined with credentials.
class CorsPolicy {
 public:
  explicit CorsPolicy(std::vector<std::string> allowed_origins, int max_age_seconds = 600);

  /// True when `origin` is on the allow-list.
  bool IsAllowed(std::string_view origin) const;

  /// True for a CORS preflight: OPTIONS with Origin and Access-Control-Request-Method.
  static bool IsPreflight(const HttpRequest& request);

  /// Adds Access-Control-Allow-Origin/-Credentials/Expose-Headers when the request's Origin is
  /// allowed, and Vary: Origin always (responses differ by origin).
  void Apply(const HttpRequest& request, HttpResponse& response) const;

  /// The 204 answer to an allowed preflight for a path that accepts `methods`.
  HttpResponse Preflight(const HttpRequest& request, const std::vector<std::string>& methods) const;

 private:
  std::vector<std::string> allowed_origins_;
  int max_age_seconds_;
};

/// Headers every response carries, for what a browser does with it.
struct SecurityHeaders {
  std::string content_security_policy = "default-src 'self'; frame-ancestors 'none'";
  /// Strict-Transport-Security; empty to leave it out.
  std::string strict_transport_security = "max-age=63072000; includeSubDomains";

  /// Sets HSTS, CSP, X-Content-Type-Options, Referrer-Policy, X-Frame-Options and
  /// Cross-Origin-Opener-Policy (fields already set by the handler are kept).
  void Apply(HttpResponse& response) const;
};

}  // namespace backoffice::bff::http
