// The users service binary: wiring only (see libs/server/service_main.h).
//
// Users-specific flags (each also read from BACKOFFICE_<NAME>):
//   --token_issuer, --token_audience         what access tokens say and what callers must present
//   --signing_key_encryption_key_file        32 raw bytes sealing the JWT private keys at rest
//   --allow_ephemeral_signing_key            without a key file, seal with a random key held only
//                                            in memory (tests, throwaway stacks): every restart
//                                            then needs a fresh database
//   --bootstrap_admin_email, --bootstrap_admin_password_file
//                                            create this account when no account exists yet
//   --roles_address                          the roles service, which decides what callers may do
//   --service_key_file, --service_key_id     the key the service signs its own token with to
//                                            watch permission changes (then it caches them) and
//                                            to ask who holds `admin` before DeleteUser /
//                                            DisableUser (the last-admin rule; off without it)
//   --permissions_max_age                    longest a caller's cached permissions are used
//   --service_jwks_file                      JWKS of service-account keys (the BFF's) allowed to
//                                            call as themselves: WatchUserChanges only
//   --max_user_watchers                      concurrent WatchUserChanges streams on this replica
//                                            (BFF replicas); below half the handler threads
//   --housekeeping_interval                  how often expired rows are erased
//   --oidc_issuer=issuer|jwks_url|audience   an external OpenID Connect issuer whose access
//                                            tokens are accepted too, as by the BFF (repeatable);
//                                            its principals' permissions are their token's
//                                            `permissions` claim
#include <algorithm>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/auth/call_authenticator.h"
#include "libs/auth/oidc_issuer_flag.h"
#include "libs/auth/oidc_trust.h"
#include "libs/auth/service_accounts.h"
#include "libs/authz/permission_metrics.h"
#include "libs/authz/permission_registrar.h"
#include "libs/authz/permission_watcher.h"
#include "libs/authz/roles_permissions_client.h"
#include "libs/config/secret_file.h"
#include "libs/jwt/verified_token_cache.h"
#include "libs/log/log.h"
#include "libs/metrics/registry.h"
#include "libs/outbox/audit_relay.h"
#include "libs/pg/notification_listener.h"
#include "libs/server/periodic_task.h"
#include "libs/server/service_channel.h"
#include "libs/server/service_host.h"
#include "libs/server/service_main.h"
#include "libs/watch/change_feed.h"
#include "libs/watch/feed_publisher.h"
#include "services/users/admin_holders.h"
#include "services/users/auth/credential_manager.h"
#include "services/users/auth/lockout_store.h"
#include "services/users/auth/login_flow.h"
#include "services/users/auth/session_store.h"
#include "services/users/auth/signing_key_ring.h"
#include "services/users/auth/token_issuer.h"
#include "services/users/bootstrap_admin.h"
#include "services/users/call_guard.h"
#include "services/users/credentials/password_hasher.h"
#include "services/users/credentials/password_policy.h"
#include "services/users/credentials/secret_box.h"
#include "services/users/credentials/sodium_util.h"
#include "services/users/migrations.h"
#include "services/users/permission_catalog.h"
#include "services/users/roles_authorizer.h"
#include "services/users/store/housekeeping.h"
#include "services/users/store/user_store.h"
#include "services/users/users_service.h"

ABSL_FLAG(std::string, token_issuer, "backoffice-users", "`iss` of the access tokens issued");
ABSL_FLAG(std::string, token_audience, "backoffice", "`aud` of the access tokens issued");
ABSL_FLAG(std::string, signing_key_encryption_key_file, "",
          "file of exactly 32 raw bytes (head -c 32 /dev/urandom) sealing the JWT signing keys");
ABSL_FLAG(bool, allow_ephemeral_signing_key, false,
          "without --signing_key_encryption_key_file, seal signing keys with a random in-memory "
          "key (tests only: keys written by an earlier process no longer open)");
ABSL_FLAG(std::string, bootstrap_admin_email, "",
          "when no account exists, create this one (with --bootstrap_admin_password_file)");
ABSL_FLAG(std::string, roles_address, "127.0.0.1:50052",
          "host:port of the roles service (callers' permissions); connected lazily");
ABSL_FLAG(std::string, service_key_file, "",
          "PEM private key of this service's own token (sub service:users, aud backoffice-roles) "
          "to watch permission changes and to ask who holds admin before an account is deleted "
          "or disabled; without it permissions are asked per call and the last active admin is "
          "not protected");
ABSL_FLAG(std::string, service_key_id, "users-service", "kid of that key");
ABSL_FLAG(absl::Duration, housekeeping_interval, absl::Minutes(10),
          "how often accounts past purge_time, expired idempotency records, challenges, ended "
          "sessions and stale unknown-email throttles are erased");
ABSL_FLAG(absl::Duration, roles_deadline, absl::Seconds(2),
          "deadline of a permission lookup in the roles service (a call waits that long for it)");
ABSL_FLAG(absl::Duration, permissions_max_age, absl::Seconds(30),
          "longest a caller's cached permissions are used");
ABSL_FLAG(std::string, service_jwks_file, "",
          "JWKS file with the public keys of service-account tokens (aud backoffice-users) "
          "allowed to call WatchUserChanges as themselves; without it only users' tokens are "
          "accepted");
ABSL_FLAG(int32_t, max_user_watchers, 16,
          "concurrent WatchUserChanges streams on this replica (meant for BFF replicas; each "
          "holds a gRPC handler thread, so it must stay below half the service host's "
          "max_handler_threads)");
ABSL_FLAG(std::string, bootstrap_admin_password_file, "",
          "file holding the bootstrap admin's password");

namespace backoffice::users {
namespace {

// Everything the service uses; outlives the gRPC service (main() holds it).
struct Components {
  std::unique_ptr<UserStore> store;
  std::shared_ptr<const SecretBox> box;
  std::unique_ptr<SigningKeyRing> keys;
  std::unique_ptr<TokenIssuer> issuer;
  std::unique_ptr<LockoutStore> lockouts;
  std::unique_ptr<SessionStore> sessions;
  std::unique_ptr<Authenticator> sign_in;
  std::unique_ptr<CredentialManager> credentials;
  std::unique_ptr<auth::CallAuthenticator> authenticator;
  std::unique_ptr<authz::RolesPermissionsClient> permissions;
  std::unique_ptr<authz::PermissionWatcher> watcher;      // null without --service_key_file
  std::unique_ptr<authz::PermissionRegistrar> registrar;  // null without --service_key_file
  std::unique_ptr<CallGuard> guard;
  AdminHoldersPtr admins;  // null without --service_key_file
  std::unique_ptr<Housekeeping> housekeeping;
  std::unique_ptr<server::PeriodicTask> housekeeper;
  // WatchUserChanges: users_changed (migration 0014's triggers) heard on a dedicated connection.
  std::unique_ptr<watch::ChangeFeed> feed;
  std::unique_ptr<watch::FeedPublisher> publisher;
  std::unique_ptr<pg::NotificationListener> listener;  // after feed and publisher: stops first
  std::optional<PasswordHasher> hasher;
  PasswordPolicy policy;
};

// The master key: the file's exact bytes (no newline stripping: a raw key may end in 0x0a).
absl::StatusOr<std::string> ReadMasterKey() {
  const std::string path = absl::GetFlag(FLAGS_signing_key_encryption_key_file);
  if (path.empty()) {
    if (!absl::GetFlag(FLAGS_allow_ephemeral_signing_key)) {
      return absl::FailedPreconditionError(
          "--signing_key_encryption_key_file is required (32 raw bytes, e.g. head -c 32 "
          "/dev/urandom); --allow_ephemeral_signing_key runs without one for tests");
    }
    log::Warn(
        "signing keys sealed with an ephemeral in-memory key (--allow_ephemeral_signing_key)");
    return RandomBytes(SecretBox::kKeyBytes);
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return absl::NotFoundError(
        absl::StrCat("--signing_key_encryption_key_file: cannot read ", path));
  }
  std::string bytes;
  bytes.resize(SecretBox::kKeyBytes + 1);
  file.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  bytes.resize(static_cast<size_t>(file.gcount()));
  if (bytes.size() != SecretBox::kKeyBytes) {
    return absl::InvalidArgumentError(
        "--signing_key_encryption_key_file: must hold exactly 32 raw bytes (not hex or base64)");
  }
  return bytes;
}

absl::Status Bootstrap(Components& c) {
  const std::string email = absl::GetFlag(FLAGS_bootstrap_admin_email);
  const std::string password_file = absl::GetFlag(FLAGS_bootstrap_admin_password_file);
  if (email.empty() && password_file.empty()) {
    return absl::OkStatus();
  }
  if (email.empty() || password_file.empty()) {
    return absl::InvalidArgumentError(
        "--bootstrap_admin_email and --bootstrap_admin_password_file go together");
  }
  absl::StatusOr<std::string> password = config::ReadSecretFile(password_file);
  if (!password.ok()) {
    return absl::Status(password.status().code(), absl::StrCat("--bootstrap_admin_password_file: ",
                                                               password.status().message()));
  }
  absl::StatusOr<std::optional<std::string>> created =
      EnsureBootstrapAdmin(*c.store, *c.hasher, c.policy, email, *password);
  if (!created.ok()) {
    return absl::Status(created.status().code(),
                        absl::StrCat("bootstrap admin: ", created.status().message()));
  }
  if (created->has_value()) {
    log::Info("bootstrap admin created", {{"user_id", **created}});
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Components>> Assemble(
    pg::Pool& pool, const std::vector<auth::OidcIssuer>& oidc_issuers) {
  auto c = std::make_unique<Components>();
  c->store = std::make_unique<UserStore>(pool);
  absl::StatusOr<PasswordHasher> hasher = PasswordHasher::Create();
  if (!hasher.ok()) {
    return hasher.status();
  }
  c->hasher.emplace(*std::move(hasher));

  absl::StatusOr<std::string> master_key = ReadMasterKey();
  if (!master_key.ok()) {
    return master_key.status();
  }
  absl::StatusOr<SecretBox> box = SecretBox::Create({.id = 1, .bytes = *master_key});
  if (!box.ok()) {
    return box.status();
  }
  c->box = std::make_shared<const SecretBox>(*std::move(box));
  absl::StatusOr<std::unique_ptr<SigningKeyRing>> keys = SigningKeyRing::Create(pool, c->box);
  if (!keys.ok()) {
    return absl::Status(keys.status().code(),
                        absl::StrCat("signing keys do not load (was the database written with "
                                     "another --signing_key_encryption_key_file?): ",
                                     keys.status().message()));
  }
  c->keys = *std::move(keys);
  if (absl::Status active = c->keys->EnsureActiveKey(absl::Now()); !active.ok()) {
    return active;
  }

  c->issuer = std::make_unique<TokenIssuer>(
      *c->keys, TokenIssuerOptions{.issuer = absl::GetFlag(FLAGS_token_issuer),
                                   .audience = {absl::GetFlag(FLAGS_token_audience)}});
  c->lockouts = std::make_unique<LockoutStore>(pool);
  absl::Duration interval = absl::GetFlag(FLAGS_housekeeping_interval);
  if (interval < absl::Seconds(1)) {
    return absl::InvalidArgumentError("--housekeeping_interval: must be at least 1s");
  }
  c->housekeeping = std::make_unique<Housekeeping>(pool, HousekeepingOptions{});
  c->housekeeper = std::make_unique<server::PeriodicTask>(
      "users housekeeping", interval,
      [housekeeping = c->housekeeping.get(), lockouts = c->lockouts.get()]() -> absl::Status {
        absl::Time now = absl::Now();
        absl::StatusOr<HousekeepingReport> report = housekeeping->RunOnce(now);
        if (!report.ok()) return report.status();
        absl::StatusOr<int64_t> throttles = lockouts->PurgeUnknown(now);
        if (!throttles.ok()) return throttles.status();
        if (report->total() + *throttles > 0) {
          log::Info("housekeeping erased expired rows",
                    {{"users_purged", report->users_purged},
                     {"idempotency_keys", report->idempotency_keys},
                     {"login_challenges", report->login_challenges},
                     {"sessions", report->sessions},
                     {"unknown_email_throttles", *throttles}});
        }
        return absl::OkStatus();
      });
  c->housekeeper->Start();
  c->sessions = std::make_unique<SessionStore>(pool);
  c->sign_in = std::make_unique<Authenticator>(
      pool, *c->hasher, *c->lockouts, *c->sessions, *c->issuer, c->box,
      AuthenticatorOptions{.sleep = &UsersServiceImpl::SleepOutsideHashSlot});
  c->credentials =
      std::make_unique<CredentialManager>(pool, *c->hasher, c->policy, *c->lockouts, c->box);
  // Callers present this service's own access tokens (keys straight from the ring) or those of
  // an external issuer (--oidc_issuer, keys from its JWKS URL). Every authorized call carries
  // the caller's access token, and verifying its RS256 signature on each call was a large share
  // of the service's CPU under load (bench/README.md, BFF). A verified token is remembered (by
  // its SHA-256) until its exp, as in the BFF and the other services: a retired signing key
  // stays published for a token's whole lifetime, so this accepts nothing the verifier would
  // refuse.
  std::vector<jwt::TrustedIssuer> own;
  own.push_back(
      {absl::GetFlag(FLAGS_token_issuer), c->keys->key_source(), c->issuer->verifier_options()});
  // Service accounts (the BFF) watch account changes as themselves; CallGuard refuses them every
  // other call.
  absl::StatusOr<std::optional<jwt::TrustedIssuer>> services = auth::LoadServiceIssuer(
      absl::GetFlag(FLAGS_service_jwks_file), {.audience = "backoffice-users"});
  if (!services.ok()) return services.status();
  if (services->has_value()) own.push_back(**std::move(services));
  absl::StatusOr<std::unique_ptr<auth::CallAuthenticator>> authenticator =
      auth::MakeCallAuthenticator(std::move(own), oidc_issuers);
  if (!authenticator.ok()) {
    return authenticator.status();
  }
  c->authenticator = *std::move(authenticator);
  std::shared_ptr<grpc::Channel> roles =
      server::CreateServiceChannel(absl::GetFlag(FLAGS_roles_address));
  c->permissions = std::make_unique<authz::RolesPermissionsClient>(
      roles,
      authz::CacheOptions{.max_age = absl::GetFlag(FLAGS_permissions_max_age),
                          .enabled = false,
                          .settle = absl::Seconds(1)},
      absl::GetFlag(FLAGS_roles_deadline));
  authz::ServiceKey service_key{.file = absl::GetFlag(FLAGS_service_key_file),
                                .kid = absl::GetFlag(FLAGS_service_key_id),
                                .service = "users"};
  absl::StatusOr<std::unique_ptr<authz::PermissionWatcher>> watcher =
      authz::PermissionWatcher::StartWithServiceKey(roles, c->permissions->cache(), service_key);
  if (!watcher.ok()) return watcher.status();
  c->watcher = *std::move(watcher);
  if (!service_key.file.empty()) {
    absl::StatusOr<authz::PermissionWatcher::TokenSource> tokens =
        authz::RolesServiceTokens(service_key);
    if (!tokens.ok()) return tokens.status();
    c->registrar = std::make_unique<authz::PermissionRegistrar>(roles, *tokens, "users",
                                                                UsersPermissionCatalog());
    c->registrar->Start();
    c->admins =
        MakeRolesAdminHolders(roles, *std::move(tokens), absl::GetFlag(FLAGS_roles_deadline));
  } else {
    log::Warn(
        "no --service_key_file: DeleteUser and DisableUser do not check that an active admin "
        "remains (the last-admin rule needs this service's own token for the roles service)");
  }
  authz::RegisterPermissionCacheMetrics(metrics::Registry::Default(), "users",
                                        c->permissions->cache());
  authz::RegisterPermissionWatchMetrics(metrics::Registry::Default(), "users", c->watcher.get());
  c->guard = std::make_unique<CallGuard>(*c->authenticator,
                                         std::make_unique<RolesCallAuthorizer>(*c->permissions));
  int32_t watchers = absl::GetFlag(FLAGS_max_user_watchers);
  if (watchers < 1) {
    return absl::InvalidArgumentError("--max_user_watchers: must be at least 1");
  }
  // Each stream holds one synchronous handler thread for its whole life, and the host's pollers
  // are drawn from the same threads: at half of them, watchers could starve every other call.
  // RunServiceMain builds its ServiceHost with the default HostOptions.
  if (int handler_threads = server::HostOptions{}.max_handler_threads;
      2 * static_cast<int64_t>(watchers) >= handler_threads) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--max_user_watchers=", watchers, " must be below half of the service host's ",
        "max_handler_threads (", handler_threads,
        ", libs/server/service_host.h HostOptions): each WatchUserChanges stream holds a "
        "handler thread for as long as it is open"));
  }
  c->feed = std::make_unique<watch::ChangeFeed>(watch::ChangeFeedOptions{
      .service = "users", .max_subscribers = static_cast<size_t>(watchers)});
  c->publisher = std::make_unique<watch::FeedPublisher>(*c->feed);
  c->listener = std::make_unique<pg::NotificationListener>(pool.options().connection,
                                                           "users_changed", *c->publisher);
  c->listener->Start();
  metrics::Registry& registry = metrics::Registry::Default();
  pg::NotificationListener* listener = c->listener.get();
  watch::ChangeFeed* feed = c->feed.get();
  registry.GaugeCallback("users_change_listener_listening",
                         "1 while this replica LISTENs for users_changed, else 0.",
                         [listener] { return listener->listening() ? 1.0 : 0.0; });
  registry.CounterCallback("users_change_notifications_total",
                           "users_changed notifications received.",
                           [listener] { return static_cast<double>(listener->notifications()); });
  registry.GaugeCallback("users_user_watchers", "Open WatchUserChanges streams.",
                         [feed] { return static_cast<double>(feed->subscribers()); });
  if (absl::Status bootstrapped = Bootstrap(*c); !bootstrapped.ok()) {
    return bootstrapped;
  }
  return c;
}

}  // namespace
}  // namespace backoffice::users

int main(int argc, char** argv) {
  using namespace backoffice;  // NOLINT: wiring only
  std::unique_ptr<users::Components> components;
  std::unique_ptr<outbox::AuditRelay> relay;  // owns its own pool; off without a key file
  return server::RunServiceMain(
      {
          .name = "users",
          .schema = "users",
          .default_grpc_port = 50051,
          .default_admin_port = 9101,
          .migrations = users::kMigrations,
          .make_services = [&components, &relay, argc, argv](pg::Pool& pool)
              -> absl::StatusOr<std::vector<std::unique_ptr<grpc::Service>>> {
            absl::StatusOr<std::vector<auth::OidcIssuer>> oidc_issuers =
                auth::OidcIssuersFromFlags(argc, argv);
            if (!oidc_issuers.ok()) return oidc_issuers.status();
            absl::StatusOr<std::unique_ptr<users::Components>> assembled =
                users::Assemble(pool, *oidc_issuers);
            if (!assembled.ok()) {
              return assembled.status();
            }
            components = *std::move(assembled);
            absl::StatusOr<std::unique_ptr<outbox::AuditRelay>> started =
                outbox::AuditRelay::StartFromFlags(pool.options().connection, "users");
            if (!started.ok()) return started.status();
            relay = *std::move(started);
            std::vector<std::unique_ptr<grpc::Service>> services;
            services.push_back(std::make_unique<users::UsersServiceImpl>(users::UsersServiceDeps{
                .store = *components->store,
                .guard = *components->guard,
                .hasher = *components->hasher,
                .policy = components->policy,
                .keys = *components->keys,
                .authenticator = *components->sign_in,
                .sessions = *components->sessions,
                .credentials = *components->credentials,
                .feed = *components->feed,
                .admins = components->admins.get(),
                .max_concurrent_hashes =
                    std::max(1, static_cast<int>(std::thread::hardware_concurrency())),
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
