// The roles service binary: wiring only (see libs/server/service_main.h).
//
// Roles-specific flags (each also read from BACKOFFICE_<NAME>):
//   --users_address             the users service (GetJwks for callers' tokens, GetUser for
//                               grants); the channel connects lazily, so the binary starts
//                               without it
//   --token_issuer, --token_audience
//                               what callers' access tokens must say (the users service's)
//   --bootstrap_admin_user_id   grant `admin` to this user at start when no admin grant exists
//   --permission_cache_entries  most users whose effective permissions are cached
//   --service_jwks_file         JWKS of service-account keys (the BFF's, other services') allowed
//                               to call as themselves, e.g. WatchPermissionChanges
//   --max_permission_watchers   concurrent WatchPermissionChanges streams on this replica
//   --housekeeping_interval     how often expired idempotency records are erased
//   --oidc_issuer=issuer|jwks_url|audience
//                               an external OpenID Connect issuer whose access tokens are
//                               accepted too, as by the BFF (repeatable); its principals hold the
//                               permissions of their token's `permissions` claim, no grants
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "libs/auth/call_authenticator.h"
#include "libs/auth/oidc_issuer_flag.h"
#include "libs/auth/platform_verifier.h"
#include "libs/authz/permission_metrics.h"
#include "libs/log/log.h"
#include "libs/metrics/registry.h"
#include "libs/outbox/audit_relay.h"
#include "libs/pg/pool.h"
#include "libs/server/periodic_task.h"
#include "libs/server/service_channel.h"
#include "libs/server/service_main.h"
#include "libs/watch/change_feed.h"
#include "services/roles/access_control.h"
#include "services/roles/call_guard.h"
#include "services/roles/change_listener.h"
#include "services/roles/migrations.h"
#include "services/roles/permission_cache.h"
#include "services/roles/roles_service.h"
#include "services/roles/store/grant_store.h"
#include "services/roles/store/housekeeping.h"
#include "services/roles/store/permission_store.h"
#include "services/roles/store/role_store.h"
#include "services/roles/user_directory.h"

ABSL_FLAG(std::string, users_address, "127.0.0.1:50051",
          "host:port of the users service (JWKS and user lookups)");
ABSL_FLAG(std::string, token_issuer, "backoffice-users", "`iss` callers' access tokens carry");
ABSL_FLAG(std::string, token_audience, "backoffice", "`aud` callers' access tokens carry");
ABSL_FLAG(std::string, bootstrap_admin_user_id, "",
          "grant the admin role to this user id at start when no admin grant exists");
ABSL_FLAG(int64_t, permission_cache_entries, 100000,
          "most users whose effective permissions are cached");
ABSL_FLAG(std::string, service_jwks_file, "",
          "JWKS file with the public keys of service-account tokens (aud backoffice-roles) "
          "allowed to call as themselves; without it only users' tokens are accepted");
ABSL_FLAG(absl::Duration, housekeeping_interval, absl::Minutes(10),
          "how often expired CreateRole idempotency records are erased");
ABSL_FLAG(int32_t, max_permission_watchers, 64,
          "concurrent WatchPermissionChanges streams on this replica (each holds a thread)");

namespace backoffice::roles {
namespace {

// Everything the service uses; outlives the gRPC service (main() holds it).
struct Components {
  std::unique_ptr<PermissionStore> permissions;
  std::unique_ptr<RoleStore> roles;
  std::unique_ptr<GrantStore> grants;
  std::unique_ptr<PermissionCache> cache;
  std::unique_ptr<watch::ChangeFeed> feed;
  std::unique_ptr<ChangeListener> listener;
  std::unique_ptr<UserDirectory> users;
  std::unique_ptr<AccessControl> access;
  std::unique_ptr<auth::CallAuthenticator> authenticator;
  std::unique_ptr<CallGuard> guard;
  std::unique_ptr<Housekeeping> housekeeping;
  std::unique_ptr<server::PeriodicTask> housekeeper;
};

absl::StatusOr<std::unique_ptr<Components>> Assemble(
    pg::Pool& pool, const std::vector<auth::OidcIssuer>& oidc_issuers) {
  auto c = std::make_unique<Components>();
  c->permissions = std::make_unique<PermissionStore>(pool);
  c->roles = std::make_unique<RoleStore>(pool);
  c->grants = std::make_unique<GrantStore>(pool);
  absl::Duration interval = absl::GetFlag(FLAGS_housekeeping_interval);
  if (interval < absl::Seconds(1)) {
    return absl::InvalidArgumentError("--housekeeping_interval: must be at least 1s");
  }
  c->housekeeping = std::make_unique<Housekeeping>(pool, HousekeepingOptions{});
  c->housekeeper = std::make_unique<server::PeriodicTask>(
      "roles housekeeping", interval, [housekeeping = c->housekeeping.get()]() -> absl::Status {
        absl::StatusOr<HousekeepingReport> report = housekeeping->RunOnce(absl::Now());
        if (!report.ok()) return report.status();
        if (report->total() > 0) {
          log::Info("housekeeping erased expired rows",
                    {{"idempotency_keys", report->idempotency_keys}});
        }
        return absl::OkStatus();
      });
  c->housekeeper->Start();

  if (std::string admin = absl::GetFlag(FLAGS_bootstrap_admin_user_id); !admin.empty()) {
    absl::StatusOr<bool> granted =
        c->grants->BootstrapAdmin(admin, Actor{.type = "system", .id = "bootstrap-admin"});
    if (!granted.ok()) {
      return absl::Status(granted.status().code(),
                          absl::StrCat("bootstrap admin: ", granted.status().message()));
    }
    if (*granted) log::Info("bootstrap admin granted", {{"user_id", admin}});
  }

  int64_t entries = absl::GetFlag(FLAGS_permission_cache_entries);
  if (entries < 1) {
    return absl::InvalidArgumentError("--permission_cache_entries: must be at least 1");
  }
  c->cache = std::make_unique<PermissionCache>(
      PermissionCacheOptions{.max_entries = static_cast<size_t>(entries)});
  int32_t watchers = absl::GetFlag(FLAGS_max_permission_watchers);
  if (watchers < 1) {
    return absl::InvalidArgumentError("--max_permission_watchers: must be at least 1");
  }
  c->feed = std::make_unique<watch::ChangeFeed>(watch::ChangeFeedOptions{
      .service = "roles", .max_subscribers = static_cast<size_t>(watchers)});
  c->listener =
      std::make_unique<ChangeListener>(pool.options().connection, *c->cache, c->feed.get());
  c->listener->Start();
  metrics::Registry& registry = metrics::Registry::Default();
  authz::RegisterPermissionCacheMetrics(registry, "roles", *c->cache);
  ChangeListener* listener = c->listener.get();
  watch::ChangeFeed* feed = c->feed.get();
  registry.GaugeCallback("roles_change_listener_listening",
                         "1 while this replica LISTENs for roles_changed (caching on), else 0.",
                         [listener] { return listener->listening() ? 1.0 : 0.0; });
  registry.CounterCallback("roles_change_notifications_total",
                           "roles_changed notifications received.",
                           [listener] { return static_cast<double>(listener->notifications()); });
  registry.GaugeCallback("roles_permission_watchers", "Open WatchPermissionChanges streams.",
                         [feed] { return static_cast<double>(feed->subscribers()); });

  std::shared_ptr<grpc::Channel> users_channel =
      server::CreateServiceChannel(absl::GetFlag(FLAGS_users_address));
  c->users = MakeGrpcUserDirectory(users_channel);
  c->access = std::make_unique<AccessControl>(AccessControlDeps{
      .roles = *c->roles, .grants = *c->grants, .cache = *c->cache, .users = *c->users});

  absl::StatusOr<std::unique_ptr<auth::CallAuthenticator>> authenticator =
      auth::MakePlatformAuthenticator({
          .users_channel = users_channel,
          .users_issuer = absl::GetFlag(FLAGS_token_issuer),
          .users_audience = absl::GetFlag(FLAGS_token_audience),
          .service_jwks_path = absl::GetFlag(FLAGS_service_jwks_file),
          .services = {.audience = "backoffice-roles"},
          .oidc_issuers = oidc_issuers,
      });
  if (!authenticator.ok()) return authenticator.status();
  c->authenticator = *std::move(authenticator);
  c->guard = std::make_unique<CallGuard>(*c->authenticator);
  return c;
}

}  // namespace
}  // namespace backoffice::roles

int main(int argc, char** argv) {
  using namespace backoffice;  // NOLINT: wiring only
  std::unique_ptr<roles::Components> components;
  std::unique_ptr<outbox::AuditRelay> relay;  // owns its own pool; off without a key file
  return server::RunServiceMain(
      {
          .name = "roles",
          .schema = "roles",
          .default_grpc_port = 50052,
          .default_admin_port = 9102,
          .migrations = roles::kMigrations,
          .make_services = [&components, &relay, argc, argv](pg::Pool& pool)
              -> absl::StatusOr<std::vector<std::unique_ptr<grpc::Service>>> {
            absl::StatusOr<std::vector<auth::OidcIssuer>> oidc_issuers =
                auth::OidcIssuersFromFlags(argc, argv);
            if (!oidc_issuers.ok()) return oidc_issuers.status();
            absl::StatusOr<std::unique_ptr<roles::Components>> assembled =
                roles::Assemble(pool, *oidc_issuers);
            if (!assembled.ok()) {
              return assembled.status();
            }
            components = *std::move(assembled);
            absl::StatusOr<std::unique_ptr<outbox::AuditRelay>> started =
                outbox::AuditRelay::StartFromFlags(pool.options().connection, "roles");
            if (!started.ok()) return started.status();
            relay = *std::move(started);
            std::vector<std::unique_ptr<grpc::Service>> services;
            services.push_back(std::make_unique<roles::RolesServiceImpl>(roles::RolesServiceDeps{
                .permissions = *components->permissions,
                .roles = *components->roles,
                .grants = *components->grants,
                .access = *components->access,
                .guard = *components->guard,
                .feed = *components->feed,
            }));
            return services;
          },
          // Watch streams end now (their clients reconnect to another replica) rather than at
          // the end of the shutdown grace.
          .on_drain =
              [&components] {
                if (components != nullptr) components->feed->Close();
              },
      },
      argc, argv);
}
