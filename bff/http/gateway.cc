#include "bff/http/gateway.h"

#include <exception>

#include "absl/random/random.h"
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "libs/log/log.h"
#include "libs/metrics/metrics.h"
#include "libs/server/request_context.h"

namespace backoffice::bff::http {
namespace {

constexpr std::string_view kKnownMethods[] = {"GET",   "HEAD",   "POST",   "PUT",
                                              "PATCH", "DELETE", "OPTIONS"};

std::string_view MethodLabel(std::string_view method) {
  for (std::string_view known : kKnownMethods) {
    if (known == method) {
      return known;
    }
  }
  return "OTHER";
}

std::string NewTraceparent() {
  thread_local absl::BitGen generator;
  uint64_t high = absl::Uniform<uint64_t>(generator);
  uint64_t low = absl::Uniform<uint64_t>(generator) | 1;  // never all zeros
  uint64_t span = absl::Uniform<uint64_t>(generator) | 1;
  return absl::StrFormat("00-%016x%016x-%016x-01", high, low, span);
}

constexpr char kInternalDetail[] = "Internal error; quote the request id when reporting it.";

void LogHandlerFailure(const HttpRequest& request, std::string_view route, std::string_view what) {
  log::ScopedContext context(request.request_id, request.trace_id);
  log::Error("route handler threw", {{"route", route}, {"error", what}});
}

bool IsApiPath(std::string_view path) {
  return path == "/api" || absl::StartsWith(absl::string_view(path.data(), path.size()), "/api/");
}

}  // namespace

struct Gateway::Metrics {
  explicit Metrics(metrics::Registry& registry)
      : requests(registry.Counter("bff_http_requests_total",
                                  "HTTP requests answered, by route pattern, method and status.",
                                  {"route", "method", "code"})),
        duration(registry.Histogram("bff_http_request_duration_seconds",
                                    "Time from a complete request to its response, by route.",
                                    {"route", "method"}, metrics::kDefaultLatencyBuckets)),
        in_flight(registry.Gauge("bff_http_requests_in_flight", "Requests being handled now.")
                      .WithLabels(std::initializer_list<std::string_view>{})),
        rejections(registry.Counter("bff_rate_limit_rejections_total",
                                    "Requests refused with 429, by limiter.", {"limiter"})) {}

  metrics::CounterFamily& requests;
  metrics::HistogramFamily& duration;
  metrics::Gauge& in_flight;
  metrics::CounterFamily& rejections;
};

Gateway::Gateway(GatewayOptions options, Router router, metrics::Registry& registry,
                 std::shared_ptr<Authenticator> authenticator,
                 std::shared_ptr<Authorizer> authorizer, std::shared_ptr<UserKeyProvider> user_keys)
    : options_(std::move(options)),
      router_(std::move(router)),
      cors_(options_.cors_origins, options_.cors_max_age_seconds),
      static_files_(options_.static_dir),
      registry_(registry),
      authenticator_(std::move(authenticator)),
      authorizer_(authorizer ? std::move(authorizer) : std::make_shared<ClaimAuthorizer>()),
      user_keys_(user_keys ? std::move(user_keys) : std::make_shared<SubjectUserKey>()),
      per_address_(options_.per_address),
      per_user_(options_.per_user),
      login_(options_.login),
      metrics_(std::make_unique<Metrics>(registry)) {}

Gateway::~Gateway() = default;

void Gateway::AddReadinessCheck(ReadinessCheck check) { checks_.push_back(std::move(check)); }

void Gateway::SetDraining() { draining_.store(true); }

bool Gateway::Ready() const {
  if (draining_.load()) {
    return false;
  }
  for (const ReadinessCheck& check : checks_) {
    if (!check.ready()) {
      return false;
    }
  }
  return true;
}

size_t Gateway::BodyLimitFor(std::string_view method, std::string_view path,
                             size_t default_limit) const {
  Router::Match match = router_.Find(method, path);
  if (match.route != nullptr && match.route->max_body_bytes.has_value()) {
    return *match.route->max_body_bytes;
  }
  return default_limit;
}

void Gateway::Prepare(HttpRequest& request) const {
  std::string_view incoming_id = request.headers.Get("x-request-id");
  request.request_id =
      server::IsValidRequestId(incoming_id) ? std::string(incoming_id) : server::NewRequestId();
  std::string_view incoming_trace = request.headers.Get("traceparent");
  request.trace_id = server::TraceIdFromTraceparent(incoming_trace);
  if (request.trace_id.empty()) {
    request.traceparent = NewTraceparent();
    request.trace_id = server::TraceIdFromTraceparent(request.traceparent);
  } else {
    request.traceparent = std::string(incoming_trace);
  }
}

boost::asio::awaitable<HttpResponse> Gateway::Handle(HttpRequest& request) {
  int64_t started = absl::GetCurrentTimeNanos();
  Prepare(request);
  metrics_->in_flight.Increment();
  std::string route_label = "none";
  HttpResponse response;
  try {
    response = co_await Dispatch(request, route_label);
  } catch (const std::exception& error) {
    LogHandlerFailure(request, route_label, error.what());
    response = ProblemResponse(request, MakeProblem(500, kInternalDetail));
  } catch (...) {
    LogHandlerFailure(request, route_label, "unknown exception");
    response = ProblemResponse(request, MakeProblem(500, kInternalDetail));
  }
  metrics_->in_flight.Decrement();
  co_return Finish(request, std::move(response), route_label, started);
}

HttpResponse Gateway::Reject(HttpRequest& request, const Problem& problem) {
  int64_t started = absl::GetCurrentTimeNanos();
  Prepare(request);
  if (request.path.empty()) {
    request.path = "/";
  }
  return Finish(request, ProblemResponse(request, problem), "none", started);
}

boost::asio::awaitable<HttpResponse> Gateway::Dispatch(HttpRequest& request,
                                                       std::string& route_label) {
  const std::string& path = request.path;
  if (path == "/healthz") {
    route_label = "/healthz";
    co_return HttpResponse::Text(200, "ok\n");
  }
  if (path == "/readyz") {
    route_label = "/readyz";
    co_return Readyz();
  }
  if (path == "/metrics") {
    route_label = "/metrics";
    HttpResponse response = HttpResponse::Text(200, registry_.Render());
    response.headers.Set("Content-Type", std::string(metrics::kContentType));
    co_return response;
  }

  if (request.method == "OPTIONS") {
    Router::Match match = router_.Find("OPTIONS", path);
    if (match.route == nullptr && match.allowed_methods.empty()) {
      co_return ProblemResponse(request, MakeProblem(404, "No such resource."));
    }
    std::vector<std::string> methods =
        match.route != nullptr ? std::vector<std::string>{"OPTIONS"} : match.allowed_methods;
    route_label = "preflight";
    if (CorsPolicy::IsPreflight(request)) {
      if (!cors_.IsAllowed(request.headers.Get("origin"))) {
        co_return ProblemResponse(request, MakeProblem(403, "This origin may not call the API."));
      }
      co_return cors_.Preflight(request, methods);
    }
    HttpResponse response = HttpResponse::Empty(204);
    response.headers.Set("Allow", absl::StrJoin(methods, ", "));
    co_return response;
  }

  Router::Match match = router_.Find(request.method, path);
  if (match.route == nullptr) {
    if (!match.allowed_methods.empty()) {
      Problem problem = MakeProblem(
          405,
          absl::StrCat("This resource accepts ", absl::StrJoin(match.allowed_methods, ", "), "."));
      problem.headers.emplace_back("Allow", absl::StrJoin(match.allowed_methods, ", "));
      co_return ProblemResponse(request, problem);
    }
    if (!IsApiPath(path) && (request.method == "GET" || request.method == "HEAD")) {
      route_label = "static";
      if (options_.rate_limits) {
        if (auto refused = CheckLimit(per_address_, request.client_address, "address", request)) {
          co_return std::move(*refused);
        }
      }
      if (std::optional<HttpResponse> file = static_files_.Serve(request); file.has_value()) {
        co_return std::move(*file);
      }
    }
    co_return ProblemResponse(request, MakeProblem(404, "No such resource."));
  }
  request.route_pattern = match.route->pattern;
  request.path_params = std::move(match.params);
  route_label = match.route->pattern;
  co_return co_await RunRoute(request, *match.route);
}

boost::asio::awaitable<HttpResponse> Gateway::RunRoute(HttpRequest& request, const Route& route) {
  if (options_.rate_limits) {
    if (auto refused = CheckLimit(per_address_, request.client_address, "address", request)) {
      co_return std::move(*refused);
    }
    if (route.login) {
      if (auto refused = CheckLimit(login_, request.client_address, "login", request)) {
        co_return std::move(*refused);
      }
    }
  }
  bool is_public = route.permission == kPublic;
  if (authenticator_ != nullptr) {
    absl::Status authenticated = co_await authenticator_->Authenticate(request);
    if (!authenticated.ok()) {
      request.principal.reset();
      if (!is_public) {
        // PERMISSION_DENIED (e.g. a CSRF check) stays a 403; every other failure is a 401.
        co_return ProblemResponse(request,
                                  authenticated.code() == absl::StatusCode::kPermissionDenied
                                      ? authenticated
                                      : absl::UnauthenticatedError(authenticated.message()));
      }
    }
  }
  if (options_.rate_limits && request.principal.has_value()) {
    std::string user = user_keys_->UserKey(request);
    if (!user.empty()) {
      if (auto refused = CheckLimit(per_user_, user, "user", request)) {
        co_return std::move(*refused);
      }
    }
  }
  if (!is_public) {
    if (!request.principal.has_value()) {
      Problem problem = MakeProblem(401, "Sign in to use this resource.");
      co_return ProblemResponse(request, problem);
    }
    if (route.permission != kAuthenticated) {
      absl::Status allowed = co_await authorizer_->Authorize(request, route.permission);
      if (!allowed.ok()) {
        co_return ProblemResponse(request, allowed);
      }
    }
  }
  co_return co_await route.handler(request);
}

std::optional<HttpResponse> Gateway::CheckLimit(RateLimiter& limiter, std::string_view key,
                                                std::string_view limiter_name,
                                                const HttpRequest& request) {
  RateLimiter::Decision decision = limiter.Acquire(key);
  if (decision.allowed) {
    return std::nullopt;
  }
  metrics_->rejections.WithLabels({limiter_name}).Increment();
  Problem problem = MakeProblem(429, "Too many requests; retry after the time in Retry-After.");
  problem.headers.emplace_back("Retry-After", std::to_string(decision.retry_after_seconds));
  return ProblemResponse(request, problem);
}

HttpResponse Gateway::Finish(const HttpRequest& request, HttpResponse response,
                             std::string_view route_label, int64_t started_ns) {
  response.headers.Set("X-Request-Id", request.request_id);
  if (IsApiPath(request.path) && !response.headers.Has("Cache-Control")) {
    response.headers.Set("Cache-Control", "no-store");
  }
  cors_.Apply(request, response);
  options_.security_headers.Apply(response);

  double seconds = static_cast<double>(absl::GetCurrentTimeNanos() - started_ns) / 1e9;
  std::string_view method = MethodLabel(request.method);
  std::string code = std::to_string(response.status);
  metrics_->requests.WithLabels({route_label, method, code}).Increment();
  metrics_->duration.WithLabels({route_label, method}).Observe(seconds);
  if (options_.access_log) {
    // Synchronous: a ScopedContext must never live across a co_await (it is per thread).
    log::ScopedContext context(request.request_id, request.trace_id);
    log::Info("http request", {{"method", method},
                               {"route", route_label},
                               {"status", response.status},
                               {"duration_ms", seconds * 1000},
                               {"bytes_in", request.body.size()},
                               {"bytes_out", response.body.size()},
                               {"client", request.client_address}});
  }
  return response;
}

HttpResponse Gateway::Readyz() const {
  std::vector<std::string> failing;
  if (draining_.load()) {
    failing.push_back("shutting down");
  }
  for (const ReadinessCheck& check : checks_) {
    if (!check.ready()) {
      failing.push_back(check.name);
    }
  }
  if (failing.empty()) {
    return HttpResponse::Text(200, "ready\n");
  }
  return HttpResponse::Text(503, absl::StrCat("not ready: ", absl::StrJoin(failing, ", "), "\n"));
}

}  // namespace backoffice::bff::http
