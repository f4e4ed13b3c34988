#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bff/http/auth_hooks.h"
#include "bff/http/cors.h"
#include "bff/http/http_request.h"
#include "bff/http/http_response.h"
#include "bff/http/problem.h"
#include "bff/http/rate_limiter.h"
#include "bff/http/router.h"
#include "bff/http/static_files.h"

namespace backoffice::metrics {
class Registry;
class CounterFamily;
class HistogramFamily;
class Gauge;
}  // namespace backoffice::metrics

namespace backoffice::bff::http {

/// What the gateway does around the routes.
struct GatewayOptions {
  /// Origins allowed by CORS (exact, e.g. "http://localhost:5173").
  std::vector<std::string> cors_origins;
  int cors_max_age_seconds = 600;
  /// The SPA folder; "" or a missing folder serves no files.
  std::string static_dir;
  SecurityHeaders security_headers;
  /// Per client address, for every route.
  RateLimiter::Options per_address{.rate_per_second = 100, .burst = 200};
  /// Per user (UserKeyProvider), for routes with a principal.
  RateLimiter::Options per_user{.rate_per_second = 50, .burst = 100};
  /// Per client address, on login routes, on top of per_address.
  RateLimiter::Options login{.rate_per_second = 0.2, .burst = 5};
  bool rate_limits = true;
  /// One JSON log line per request.
  bool access_log = true;
};

/// A named readiness check: it must answer at once (it runs on an I/O thread on each /readyz).
struct ReadinessCheck {
  std::string name;
  std::function<bool()> ready;
};

/// Everything between the HTTP server and a route handler, free of Beast: request ids and trace
/// context, CORS, security headers, rate limits, routing (404/405), authentication and
/// authorization hooks, the static SPA, /metrics /healthz /readyz, metrics and the access log.
/// Thread-safe after construction; every I/O thread calls Handle concurrently.
class Gateway {
 public:
  /// `authenticator` and `authorizer` may be null: then no request has a principal and routes
  /// other than kPublic answer 401 (ClaimAuthorizer is used when `authorizer` is null).
  Gateway(GatewayOptions options, Router router, metrics::Registry& registry,
          std::shared_ptr<Authenticator> authenticator = nullptr,
          std::shared_ptr<Authorizer> authorizer = nullptr,
          std::shared_ptr<UserKeyProvider> user_keys = nullptr);
  ~Gateway();

  /// Adds a check that /readyz consults (e.g. "users channel READY").
  void AddReadinessCheck(ReadinessCheck check);

  /// Turns readiness false for good (the server is shutting down).
  void SetDraining();

  /// Whether every readiness check passes and the gateway is not draining.
  bool Ready() const;

  /// The body limit for a request line, after its headers were read.
  size_t BodyLimitFor(std::string_view method, std::string_view path, size_t default_limit) const;

  /// Answers one complete request (the server filled method, target, path, query, headers,
  /// body and client_address). Never throws.
  boost::asio::awaitable<HttpResponse> Handle(HttpRequest& request);

  /// Answers a request the server refused before it was complete (400, 413, 431) with a
  /// problem, through the same finishing steps (ids, headers, metrics, access log).
  HttpResponse Reject(HttpRequest& request, const Problem& problem);

 private:
  struct Metrics;

  void Prepare(HttpRequest& request) const;
  boost::asio::awaitable<HttpResponse> Dispatch(HttpRequest& request, std::string& route_label);
  boost::asio::awaitable<HttpResponse> RunRoute(HttpRequest& request, const Route& route);
  std::optional<HttpResponse> CheckLimit(RateLimiter& limiter, std::string_view key,
                                         std::string_view limiter_name, const HttpRequest& request);
  HttpResponse Finish(const HttpRequest& request, HttpResponse response,
                      std::string_view route_label, int64_t started_ns);
  HttpResponse Readyz() const;

  const GatewayOptions options_;
  const Router router_;
  const CorsPolicy cors_;
  const StaticFiles static_files_;
  metrics::Registry& registry_;
  std::shared_ptr<Authenticator> authenticator_;
  std::shared_ptr<Authorizer> authorizer_;
  std::shared_ptr<UserKeyProvider> user_keys_;
  RateLimiter per_address_;
  RateLimiter per_user_;
  RateLimiter login_;
  std::unique_ptr<Metrics> metrics_;
  std::vector<ReadinessCheck> checks_;
  std::atomic<bool> draining_{false};
};

}  // namespace backoffice::bff::http
