#include "bff/http/cors.h"

#include <algorithm>

#include "absl/strings/str_join.h"

namespace backoffice::bff::http {
namespace {

constexpr char kAllowedHeaders[] =
    "Authorization, Content-Type, Idempotency-Key, If-Match, If-None-Match, Range, "
    "X-CSRF-Token, X-Request-Id, traceparent";
constexpr char kExposedHeaders[] =
    "X-Total-Count, Content-Range, X-Next-Cursor, X-Request-Id, ETag, Retry-After, Location";

void SetIfAbsent(HttpResponse& response, std::string_view name, std::string value) {
  if (!response.headers.Has(name)) {
    response.headers.Set(name, std::move(value));
  }
}

}  // namespace

CorsPolicy::CorsPolicy(std::vector<std::string> allowed_origins, int max_age_seconds)
    : max_age_seconds_(max_age_seconds) {
  for (std::string& origin : allowed_origins) {
    while (!origin.empty() && origin.back() == '/') {
      origin.pop_back();
    }
    if (!origin.empty() && origin != "*" && origin != "null") {
      allowed_origins_.push_back(std::move(origin));
    }
  }
}

bool CorsPolicy::IsAllowed(std::string_view origin) const {
  return !origin.empty() && std::find(allowed_origins_.begin(), allowed_origins_.end(), origin) !=
                                allowed_origins_.end();
}

bool CorsPolicy::IsPreflight(const HttpRequest& request) {
  return request.method == "OPTIONS" && request.headers.Has("origin") &&
         request.headers.Has("access-control-request-method");
}

void CorsPolicy::Apply(const HttpRequest& request, HttpResponse& response) const {
  response.headers.Add("Vary", "Origin");
  std::string_view origin = request.headers.Get("origin");
  if (!IsAllowed(origin)) {
    return;
  }
  response.headers.Set("Access-Control-Allow-Origin", std::string(origin));
  response.headers.Set("Access-Control-Allow-Credentials", "true");
  response.headers.Set("Access-Control-Expose-Headers", kExposedHeaders);
}

HttpResponse CorsPolicy::Preflight(const HttpRequest& request,
                                   const std::vector<std::string>& methods) const {
  HttpResponse response = HttpResponse::Empty(204);
  response.headers.Set("Access-Control-Allow-Methods", absl::StrJoin(methods, ", "));
  response.headers.Set("Access-Control-Allow-Headers", kAllowedHeaders);
  response.headers.Set("Access-Control-Max-Age", std::to_string(max_age_seconds_));
  response.headers.Set("Vary",
                       "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
  std::string_view origin = request.headers.Get("origin");
  if (IsAllowed(origin)) {
    response.headers.Set("Access-Control-Allow-Origin", std::string(origin));
    response.headers.Set("Access-Control-Allow-Credentials", "true");
  }
  return response;
}

void SecurityHeaders::Apply(HttpResponse& response) const {
  if (!strict_transport_security.empty()) {
    SetIfAbsent(response, "Strict-Transport-Security", strict_transport_security);
  }
  if (!content_security_policy.empty()) {
    SetIfAbsent(response, "Content-Security-Policy", content_security_policy);
  }
  SetIfAbsent(response, "X-Content-Type-Options", "nosniff");
  SetIfAbsent(response, "Referrer-Policy", "no-referrer");
  SetIfAbsent(response, "X-Frame-Options", "DENY");
  SetIfAbsent(response, "Cross-Origin-Opener-Policy", "same-origin");
}

}  // namespace backoffice::bff::http
