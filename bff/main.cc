// The BFF gateway binary: flags and wiring only (docs/bff.md).
#include <grpc/support/log.h>

#include <algorithm>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bff/app/authentication.h"
#include "bff/app/downstreams.h"
#include "bff/app/permissions.h"
#include "bff/app/routes.h"
#include "bff/http/gateway.h"
#include "bff/http/server.h"
#include "libs/auth/oidc_issuer_flag.h"
#include "libs/authz/change_watcher.h"
#include "libs/authz/permission_metrics.h"
#include "libs/authz/permission_watcher.h"
#include "libs/authz/service_key.h"
#include "libs/config/command_line.h"
#include "libs/log/log.h"
#include "libs/metrics/metrics.h"
#include "libs/server/process_metrics.h"
#include "libs/server/termination_signal.h"
#include "proto/users/v1/users.grpc.pb.h"

// Every flag also reads BACKOFFICE_<NAME> from the environment when not given on the command line.
ABSL_FLAG(int, port, 8080, "HTTP port of the API, the SPA, /metrics, /healthz and /readyz");
ABSL_FLAG(std::string, bind_address, "127.0.0.1", "address to listen on; 0.0.0.0 in a pod");
ABSL_FLAG(int, io_threads, 0, "I/O threads (one io_context each); 0: one per core");
ABSL_FLAG(int64_t, max_body_bytes, 1 << 20, "request body limit (routes may raise theirs)");
ABSL_FLAG(int64_t, max_header_bytes, 16 * 1024, "request line and header limit");
ABSL_FLAG(absl::Duration, header_timeout, absl::Seconds(10),
          "time from a request's first byte to the end of its headers");
ABSL_FLAG(absl::Duration, body_timeout, absl::Seconds(30), "time to receive a request body");
ABSL_FLAG(absl::Duration, idle_timeout, absl::Seconds(60),
          "time a kept-alive connection may wait for its next request");
ABSL_FLAG(std::vector<std::string>, trusted_proxies, {},
          "IPs or CIDR ranges whose X-Forwarded-* headers are believed (comma-separated)");
ABSL_FLAG(std::vector<std::string>, cors_origins,
          std::vector<std::string>({"http://localhost:5173", "http://127.0.0.1:5173"}),
          "origins allowed to call the API from a browser (comma-separated, exact)");
ABSL_FLAG(std::string, static_dir, "web/dist", "folder of the built SPA; missing: no SPA");
ABSL_FLAG(std::string, content_security_policy, "default-src 'self'; frame-ancestors 'none'",
          "Content-Security-Policy of every response");
ABSL_FLAG(bool, hsts, true, "send Strict-Transport-Security");
ABSL_FLAG(double, rate_per_address, 100, "requests per second per client address");
ABSL_FLAG(double, burst_per_address, 200, "burst per client address");
ABSL_FLAG(double, rate_per_user, 50, "requests per second per signed-in user");
ABSL_FLAG(double, burst_per_user, 100, "burst per signed-in user");
ABSL_FLAG(double, login_rate_per_address, 0.2, "login attempts per second per client address");
ABSL_FLAG(double, login_burst_per_address, 5, "login burst per client address");
ABSL_FLAG(bool, access_log, true, "log one JSON line per request");
ABSL_FLAG(std::string, log_level, "info", "debug, info, warn or error");
ABSL_FLAG(std::string, users_address, "127.0.0.1:50051", "gRPC address of the users service");
ABSL_FLAG(std::string, roles_address, "127.0.0.1:50052", "gRPC address of the roles service");
ABSL_FLAG(std::string, audit_address, "127.0.0.1:50053", "gRPC address of the audit service");
ABSL_FLAG(std::string, notifications_address, "127.0.0.1:50054",
          "gRPC address of the notifications service");
ABSL_FLAG(std::string, integrations_address, "127.0.0.1:50055",
          "gRPC address of the integrations service");
ABSL_FLAG(int, downstream_connections, 4,
          "HTTP/2 connections to each service; concurrent calls spread over them");
ABSL_FLAG(absl::Duration, downstream_keepalive, absl::Seconds(10),
          "HTTP/2 ping interval to the services while calls are open (at least 1s): a service "
          "that vanished without closing its connection fails its calls, and the watch streams "
          "that keep the caches exact, within about twice this");
ABSL_FLAG(absl::Duration, downstream_deadline, absl::Seconds(2),
          "deadline of a downstream call that sets none");
ABSL_FLAG(std::vector<std::string>, required_services, std::vector<std::string>({"users", "roles"}),
          "services whose channel must be READY for /readyz (comma-separated)");
ABSL_FLAG(std::string, users_token_issuer, "backoffice-users",
          "`iss` of the users service's access tokens (its --token_issuer)");
ABSL_FLAG(std::string, users_token_audience, "backoffice",
          "`aud` of the users service's access tokens (its --token_audience)");
ABSL_FLAG(std::string, service_key_file, "",
          "PEM private key the BFF signs its service-account token with (sub service:bff, aud "
          "backoffice-roles) to watch permission changes; without it permissions are not cached "
          "and every authorized request asks the roles service");
ABSL_FLAG(std::string, service_key_id, "bff", "kid of that key, as in the roles service's JWKS");
ABSL_FLAG(absl::Duration, permissions_max_age, absl::Seconds(30),
          "longest a user's cached permissions are used (changes arrive by the watch at once)");
ABSL_FLAG(int64_t, permissions_cache_entries, 100000, "most users whose permissions are cached");
ABSL_FLAG(bool, users_cache, true,
          "cache user records and GET /api/users answers while the users service's change watch "
          "is live (needs --service_key_file)");
ABSL_FLAG(int64_t, users_cache_entries, 20000, "most user records cached");
ABSL_FLAG(int64_t, users_page_cache_entries, 1000, "most GET /api/users answers cached");
ABSL_FLAG(int64_t, users_cache_max_record_bytes, 4 * 1024,
          "largest user record (JSON) cached; larger ones are answered, not kept");
ABSL_FLAG(int64_t, users_page_cache_max_bytes, 64 * 1024,
          "largest GET /api/users answer (JSON rows) cached; larger ones are answered, not kept");
ABSL_FLAG(absl::Duration, users_cache_max_age, absl::Seconds(30),
          "longest a cached user record or page is used (changes drop them at once)");
// --oidc_issuer (repeatable) is defined by libs/auth/oidc_issuer_flag.h, as in the services.
ABSL_FLAG(absl::Duration, jwks_refresh_interval, absl::Minutes(5),
          "how often the background thread refreshes every trusted JWKS");
ABSL_FLAG(absl::Duration, jwks_retry_interval, absl::Seconds(5),
          "refresh sooner than that after a failed fetch or while a key set is empty");
ABSL_FLAG(absl::Duration, jwks_min_demand_interval, absl::Seconds(10),
          "at most one refresh per this interval on tokens naming an unknown kid");
ABSL_FLAG(int64_t, max_import_bytes, 11 << 20, "body limit of POST /api/users/import");
ABSL_FLAG(int64_t, max_export_bytes, 64 << 20,
          "the largest file GET /api/users/export and /api/audit/export collect before answering");
ABSL_FLAG(absl::Duration, drain_delay, absl::ZeroDuration(),
          "on SIGTERM, time to report not-ready before refusing new connections");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(20),
          "on SIGTERM, time requests in flight get to finish");

namespace backoffice::bff {
namespace {

void LogFromGrpc(gpr_log_func_args* args) {
  std::initializer_list<log::Field> fields = {
      {"source", "grpc"}, {"file", args->file}, {"line", static_cast<int64_t>(args->line)}};
  if (args->severity == GPR_LOG_SEVERITY_ERROR) {
    log::Warn(args->message, fields);
  } else {
    log::Debug(args->message, fields);
  }
}

// Keeps `cache` exact from UsersService.WatchUserChanges, authenticated with the service key.
// Null (and a warning) without a key: users records are then never cached.
absl::StatusOr<std::unique_ptr<authz::ChangeWatcher>> StartUsersWatcher(
    std::shared_ptr<grpc::Channel> users, app::UsersCache& cache, const authz::ServiceKey& key) {
  if (key.file.empty()) {
    log::Warn(absl::StrCat("no ", key.flag, ": user records are not cached"));
    return std::unique_ptr<authz::ChangeWatcher>();
  }
  absl::StatusOr<authz::TokenSource> tokens = authz::ServiceTokens(key, "backoffice-users");
  if (!tokens.ok()) return tokens.status();
  auto watcher = std::make_unique<authz::ChangeWatcher>(
      "user",
      authz::OpenStream<users::v1::UsersService>(std::move(users),
                                                 &users::v1::UsersService::Stub::WatchUserChanges),
      *std::move(tokens), cache.invalidation());
  watcher->Start();
  return watcher;
}

int Run(std::vector<std::string> oidc_flags) {
  absl::StatusOr<log::Level> level = log::ParseLevel(absl::GetFlag(FLAGS_log_level));
  if (!level.ok()) {
    log::Error("bad --log_level", {{"error", level.status().message()}});
    return 2;
  }
  log::SetMinLevel(*level);
  gpr_set_log_function(LogFromGrpc);
  metrics::Registry& registry = metrics::Registry::Default();
  server::RegisterProcessMetrics(registry, "bff");

  app::Downstreams downstreams = app::Downstreams::Create(
      {.users = absl::GetFlag(FLAGS_users_address),
       .roles = absl::GetFlag(FLAGS_roles_address),
       .audit = absl::GetFlag(FLAGS_audit_address),
       .notifications = absl::GetFlag(FLAGS_notifications_address),
       .integrations = absl::GetFlag(FLAGS_integrations_address),
       .default_deadline = absl::GetFlag(FLAGS_downstream_deadline),
       .connections = std::max(1, absl::GetFlag(FLAGS_downstream_connections)),
       .keepalive = absl::GetFlag(FLAGS_downstream_keepalive)},
      registry);

  app::RolesPermissions permissions(
      {.roles = downstreams.roles.get(),
       .users_issuer = absl::GetFlag(FLAGS_users_token_issuer),
       .cache = {.max_entries = static_cast<size_t>(
                     std::max<int64_t>(1, absl::GetFlag(FLAGS_permissions_cache_entries))),
                 .max_age = absl::GetFlag(FLAGS_permissions_max_age),
                 .enabled = false,
                 .settle = absl::Seconds(1)}});
  absl::StatusOr<std::unique_ptr<authz::PermissionWatcher>> watcher =
      authz::PermissionWatcher::StartWithServiceKey(downstreams.roles->channel(),
                                                    permissions.invalidation(),
                                                    {.file = absl::GetFlag(FLAGS_service_key_file),
                                                     .kid = absl::GetFlag(FLAGS_service_key_id),
                                                     .service = "bff"});
  if (!watcher.ok()) {
    log::Error("cannot watch permission changes", {{"error", watcher.status().message()}});
    return 2;
  }
  authz::RegisterPermissionCacheMetrics(registry, "bff", permissions.cache());
  authz::RegisterInvalidatingCacheMetrics(registry, "bff_held_roles_cache", "users' direct grants",
                                          permissions.held_roles_cache());
  authz::RegisterPermissionWatchMetrics(registry, "bff", watcher->get());

  auto at_least_one = [](int64_t value) {
    return static_cast<size_t>(std::max<int64_t>(1, value));
  };
  app::UsersCache users_cache(
      {.max_users = at_least_one(absl::GetFlag(FLAGS_users_cache_entries)),
       .max_user_bytes = at_least_one(absl::GetFlag(FLAGS_users_cache_max_record_bytes)),
       .max_pages = at_least_one(absl::GetFlag(FLAGS_users_page_cache_entries)),
       .max_page_bytes = at_least_one(absl::GetFlag(FLAGS_users_page_cache_max_bytes)),
       .max_age = absl::GetFlag(FLAGS_users_cache_max_age)});
  const bool cache_users = absl::GetFlag(FLAGS_users_cache);
  absl::StatusOr<std::unique_ptr<authz::ChangeWatcher>> users_watcher =
      cache_users ? StartUsersWatcher(downstreams.users->channel(), users_cache,
                                      {.file = absl::GetFlag(FLAGS_service_key_file),
                                       .kid = absl::GetFlag(FLAGS_service_key_id),
                                       .service = "bff"})
                  : std::unique_ptr<authz::ChangeWatcher>();
  if (!users_watcher.ok()) {
    log::Error("cannot watch user changes", {{"error", users_watcher.status().message()}});
    return 2;
  }
  authz::RegisterInvalidatingCacheMetrics(registry, "bff_users_cache", "user records",
                                          users_cache.users());
  authz::RegisterInvalidatingCacheMetrics(registry, "bff_users_page_cache",
                                          "GET /api/users answers", users_cache.pages());
  authz::RegisterChangeWatchMetrics(registry, "bff_users_watch", "WatchUserChanges",
                                    users_watcher->get());
  registry.CounterCallback(
      "bff_users_cache_shared_loads_total",
      "Users cache misses answered by another request's call in flight (record or page).",
      [&users_cache] {
        return static_cast<double>(users_cache.user_loads().joined() +
                                   users_cache.page_loads().joined());
      });

  http::Router router;
  app::RouteOptions route_options{
      .max_import_bytes = static_cast<size_t>(absl::GetFlag(FLAGS_max_import_bytes)),
      .max_export_bytes = static_cast<size_t>(absl::GetFlag(FLAGS_max_export_bytes))};
  if (absl::Status added = app::AddRoutes(router, downstreams, permissions,
                                          cache_users ? &users_cache : nullptr, route_options);
      !added.ok()) {
    log::Error("cannot declare routes", {{"error", added.message()}});
    return 1;
  }

  http::GatewayOptions gateway_options;
  gateway_options.cors_origins = absl::GetFlag(FLAGS_cors_origins);
  gateway_options.static_dir = absl::GetFlag(FLAGS_static_dir);
  gateway_options.security_headers.content_security_policy =
      absl::GetFlag(FLAGS_content_security_policy);
  if (!absl::GetFlag(FLAGS_hsts)) {
    gateway_options.security_headers.strict_transport_security.clear();
  }
  gateway_options.per_address = {.rate_per_second = absl::GetFlag(FLAGS_rate_per_address),
                                 .burst = absl::GetFlag(FLAGS_burst_per_address)};
  gateway_options.per_user = {.rate_per_second = absl::GetFlag(FLAGS_rate_per_user),
                              .burst = absl::GetFlag(FLAGS_burst_per_user)};
  gateway_options.login = {.rate_per_second = absl::GetFlag(FLAGS_login_rate_per_address),
                           .burst = absl::GetFlag(FLAGS_login_burst_per_address)};
  gateway_options.access_log = absl::GetFlag(FLAGS_access_log);
  app::AuthenticationOptions auth_options;
  auth_options.users_issuer = absl::GetFlag(FLAGS_users_token_issuer);
  auth_options.users_audience = absl::GetFlag(FLAGS_users_token_audience);
  auth_options.refresh = {.interval = absl::GetFlag(FLAGS_jwks_refresh_interval),
                          .retry_interval = absl::GetFlag(FLAGS_jwks_retry_interval),
                          .min_demand_interval = absl::GetFlag(FLAGS_jwks_min_demand_interval)};
  absl::StatusOr<std::vector<auth::OidcIssuer>> oidc_issuers =
      auth::OidcIssuersFromValues(std::move(oidc_flags));
  if (!oidc_issuers.ok()) {
    log::Error("bad --oidc_issuer", {{"error", oidc_issuers.status().message()}});
    return 2;
  }
  auth_options.oidc_issuers = *std::move(oidc_issuers);
  absl::StatusOr<app::Authentication> authentication =
      app::CreateAuthentication(auth_options, downstreams.users->channel());
  if (!authentication.ok()) {
    log::Error("cannot set up authentication", {{"error", authentication.status().message()}});
    return 2;
  }
  http::Gateway gateway(gateway_options, std::move(router), registry, authentication->authenticator,
                        std::make_shared<app::RolesAuthorizer>(permissions));
  for (const std::string& name : absl::GetFlag(FLAGS_required_services)) {
    downstream::ServiceClient* client = downstreams.Find(name);
    if (client == nullptr) {
      log::Error("unknown service in --required_services", {{"service", name}});
      return 2;
    }
    gateway.AddReadinessCheck({name, [client] { return client->Ready(); }});
  }

  http::ServerOptions server_options;
  server_options.address = absl::GetFlag(FLAGS_bind_address);
  server_options.port = absl::GetFlag(FLAGS_port);
  server_options.io_threads = absl::GetFlag(FLAGS_io_threads);
  server_options.max_body_bytes = static_cast<size_t>(absl::GetFlag(FLAGS_max_body_bytes));
  server_options.max_header_bytes = static_cast<size_t>(absl::GetFlag(FLAGS_max_header_bytes));
  server_options.header_timeout = absl::GetFlag(FLAGS_header_timeout);
  server_options.body_timeout = absl::GetFlag(FLAGS_body_timeout);
  server_options.idle_timeout = absl::GetFlag(FLAGS_idle_timeout);
  server_options.trusted_proxies = absl::GetFlag(FLAGS_trusted_proxies);
  authentication->refresher->Start();
  absl::StatusOr<http::HttpServerPtr> server = http::HttpServer::Start(server_options, gateway);
  if (!server.ok()) {
    log::Error("cannot start the HTTP server", {{"error", server.status().message()}});
    return 1;
  }
  log::Info("bff listening", {{"address", server_options.address},
                              {"port", (*server)->port()},
                              {"static_dir", gateway_options.static_dir}});

  int signal = server::WaitForTerminationSignal();
  log::Info("shutting down", {{"signal", signal}});
  gateway.SetDraining();
  absl::SleepFor(absl::GetFlag(FLAGS_drain_delay));
  bool clean = (*server)->Shutdown(absl::GetFlag(FLAGS_shutdown_grace));
  // Calls still in flight (only after an unclean stop) end before the I/O contexts go away.
  for (downstream::ServiceClient* client : downstreams.All()) {
    client->CancelAllAndWait();
  }
  // Requests still waiting for a JWKS refresh are resumed (queued) before the contexts go.
  authentication->refresher->Stop();
  if (*watcher != nullptr) (*watcher)->Stop();
  if (*users_watcher != nullptr) (*users_watcher)->Stop();
  users_cache.Abandon();
  server->reset();
  log::Info("stopped", {{"clean", clean}});
  return 0;
}

}  // namespace
}  // namespace backoffice::bff

int main(int argc, char** argv) {
  // Debian's Abseil is built without NDEBUG, so every absl::Mutex lock (gRPC's included) ran
  // the debug lock-order cycle detector: a global graph lookup per acquisition, 1-2% of the
  // users service's and the BFF's CPU under load (bench/README.md, BFF). Unit tests, which do not
  // run this, keep it on.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  backoffice::server::BlockTerminationSignals();
  std::vector<std::string> oidc_flags =
      backoffice::auth::RepeatedFlagValues(argc, argv, "oidc_issuer");
  backoffice::config::ParseCommandLine(
      argc, argv, "The backoffice BFF: the HTTP gateway admin SPAs talk to (docs/bff.md).");
  return backoffice::bff::Run(std::move(oidc_flags));
}
