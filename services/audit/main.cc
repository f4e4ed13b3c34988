// The audit service binary: wiring only (see libs/server/service_main.h).
//
// Audit-specific flags (each also read from BACKOFFICE_<NAME>):
//   --users_address                   the users service (GetJwks: keys of users' access tokens)
//   --roles_address                   the roles service (CheckPermission for audit:read/export)
//   --token_issuer, --token_audience  what users' access tokens must say (the users service's)
//   --service_jwks_file               JWKS of the producing services' token keys (AppendEvents)
//   --service_token_issuer, --service_token_audience
//                                     what service-account tokens must say
//   --checkpoint_key_file             PEM Ed25519 private key signing checkpoints
//   --allow_ephemeral_checkpoint_key  without the key file, sign with a random in-memory key
//   --partition_months_ahead          monthly partitions kept ready, the current one included
//   --retention_months                whole months kept before the current one (0: forever)
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "libs/auth/call_authenticator.h"
#include "libs/auth/oidc_issuer_flag.h"
#include "libs/auth/platform_verifier.h"
#include "libs/auth/service_accounts.h"
#include "libs/authz/permission_metrics.h"
#include "libs/authz/permission_registrar.h"
#include "libs/authz/permission_watcher.h"
#include "libs/authz/roles_permissions_client.h"
#include "libs/log/log.h"
#include "libs/metrics/registry.h"
#include "libs/pg/pool.h"
#include "libs/server/service_channel.h"
#include "libs/server/service_main.h"
#include "services/audit/audit_service.h"
#include "services/audit/call_guard.h"
#include "services/audit/checkpoint_signer.h"
#include "services/audit/migrations.h"
#include "services/audit/partition_maintainer.h"
#include "services/audit/permission_checker.h"
#include "services/audit/store/event_store.h"

ABSL_FLAG(std::string, users_address, "127.0.0.1:50051",
          "host:port of the users service (JWKS of users' access tokens)");
ABSL_FLAG(std::string, roles_address, "127.0.0.1:50052",
          "host:port of the roles service (permission checks)");
ABSL_FLAG(std::string, token_issuer, "backoffice-users", "`iss` users' access tokens carry");
ABSL_FLAG(std::string, token_audience, "backoffice", "`aud` users' access tokens carry");
ABSL_FLAG(std::string, service_jwks_file, "",
          "JWKS file with the public keys of service-account tokens allowed to append events; "
          "without it no service can append");
ABSL_FLAG(std::string, service_token_issuer, "backoffice-services",
          "`iss` of service-account tokens");
ABSL_FLAG(std::string, service_token_audience, "backoffice-audit",
          "`aud` service-account tokens must carry");
ABSL_FLAG(std::string, service_key_file, "",
          "PEM private key of this service's own token (sub service:audit, aud backoffice-roles) "
          "to watch permission changes (then callers' permissions are cached) and register "
          "audit:read/audit:export at start");
ABSL_FLAG(std::string, service_key_id, "audit-service", "kid of that key");
ABSL_FLAG(std::string, checkpoint_key_file, "",
          "PEM (PKCS#8) Ed25519 private key that signs checkpoints");
ABSL_FLAG(bool, allow_ephemeral_checkpoint_key, false,
          "without --checkpoint_key_file, sign checkpoints with a random key held only in memory "
          "(its checkpoints cannot be checked after a restart; tests only)");
ABSL_FLAG(int32_t, partition_months_ahead, 3,
          "monthly partitions of audit.events kept ready, the current month included");
ABSL_FLAG(int32_t, retention_months, 0,
          "whole months of audit events kept before the current month; older monthly partitions "
          "are dropped daily as an audited event (audit.retention.applied). 0 keeps everything");

namespace backoffice::audit {
namespace {

// A hundred years: a bound that catches a typo, not a policy.
constexpr int32_t kMaxRetentionMonths = 1200;

// Everything the service uses; outlives the gRPC service (main() holds it).
struct Components {
  std::unique_ptr<EventStore> store;
  std::unique_ptr<PartitionMaintainer> partitions;
  std::unique_ptr<CheckpointSigner> signer;
  std::unique_ptr<authz::RolesPermissionsClient> roles_permissions;
  std::unique_ptr<authz::PermissionWatcher> watcher;      // null without --service_key_file
  std::unique_ptr<authz::PermissionRegistrar> registrar;  // null without --service_key_file
  PermissionCheckerPtr permissions;
  std::unique_ptr<auth::CallAuthenticator> authenticator;
  std::unique_ptr<CallGuard> guard;
};

absl::StatusOr<std::unique_ptr<CheckpointSigner>> MakeSigner() {
  std::string path = absl::GetFlag(FLAGS_checkpoint_key_file);
  if (path.empty()) {
    if (!absl::GetFlag(FLAGS_allow_ephemeral_checkpoint_key)) {
      return absl::InvalidArgumentError(
          "--checkpoint_key_file is required (openssl genpkey -algorithm ed25519); "
          "--allow_ephemeral_checkpoint_key runs without one for tests");
    }
    log::Warn(
        "checkpoints signed with an ephemeral in-memory key "
        "(--allow_ephemeral_checkpoint_key)");
    return CheckpointSigner::Generate();
  }
  absl::StatusOr<std::string> pem = auth::ReadFileForFlag(path, "--checkpoint_key_file");
  if (!pem.ok()) return pem.status();
  return CheckpointSigner::FromPem(*pem);
}

// Callers: users of the users service, service accounts (the relays) and principals of the
// external OpenID Connect issuers of --oidc_issuer.
absl::StatusOr<std::unique_ptr<auth::CallAuthenticator>> MakeAuthenticator(
    const std::vector<auth::OidcIssuer>& oidc_issuers) {
  if (absl::GetFlag(FLAGS_service_jwks_file).empty()) {
    log::Warn("no --service_jwks_file: no service can append events");
  }
  return auth::MakePlatformAuthenticator({
      .users_channel = server::CreateServiceChannel(absl::GetFlag(FLAGS_users_address)),
      .users_issuer = absl::GetFlag(FLAGS_token_issuer),
      .users_audience = absl::GetFlag(FLAGS_token_audience),
      .service_jwks_path = absl::GetFlag(FLAGS_service_jwks_file),
      .services = {.issuer = absl::GetFlag(FLAGS_service_token_issuer),
                   .audience = absl::GetFlag(FLAGS_service_token_audience)},
      .oidc_issuers = oidc_issuers,
  });
}

absl::StatusOr<std::unique_ptr<Components>> Assemble(
    pg::Pool& pool, const std::vector<auth::OidcIssuer>& oidc_issuers) {
  auto c = std::make_unique<Components>();
  c->store = std::make_unique<EventStore>(pool);
  int32_t months = absl::GetFlag(FLAGS_partition_months_ahead);
  if (months < 1 || months > 24) {
    return absl::InvalidArgumentError("--partition_months_ahead: must be 1 to 24");
  }
  int32_t retention = absl::GetFlag(FLAGS_retention_months);
  if (retention < 0 || retention > kMaxRetentionMonths) {
    return absl::InvalidArgumentError(
        absl::StrCat("--retention_months: must be 0 (keep everything) to ", kMaxRetentionMonths,
                     ", got ", retention));
  }
  c->partitions = std::make_unique<PartitionMaintainer>(
      *c->store, PartitionMaintainerOptions{.months_ahead = months, .retention_months = retention});
  if (absl::Status s = c->partitions->RunOnce(); !s.ok()) return s;
  c->partitions->Start();

  absl::StatusOr<std::unique_ptr<CheckpointSigner>> signer = MakeSigner();
  if (!signer.ok()) return signer.status();
  c->signer = *std::move(signer);

  std::shared_ptr<grpc::Channel> roles =
      server::CreateServiceChannel(absl::GetFlag(FLAGS_roles_address));
  c->roles_permissions = std::make_unique<authz::RolesPermissionsClient>(
      roles,
      authz::CacheOptions{
          .max_age = absl::Seconds(30), .enabled = false, .settle = absl::Seconds(1)},
      absl::Seconds(5));
  authz::ServiceKey service_key{.file = absl::GetFlag(FLAGS_service_key_file),
                                .kid = absl::GetFlag(FLAGS_service_key_id),
                                .service = "audit"};
  absl::StatusOr<std::unique_ptr<authz::PermissionWatcher>> watcher =
      authz::PermissionWatcher::StartWithServiceKey(roles, c->roles_permissions->cache(),
                                                    service_key);
  if (!watcher.ok()) return watcher.status();
  c->watcher = *std::move(watcher);
  if (!service_key.file.empty()) {
    absl::StatusOr<authz::PermissionWatcher::TokenSource> tokens =
        authz::RolesServiceTokens(service_key);
    if (!tokens.ok()) return tokens.status();
    c->registrar = std::make_unique<authz::PermissionRegistrar>(
        roles, *std::move(tokens), "audit",
        std::vector<authz::PermissionSpec>{
            {kPermAuditRead, "Query the audit log and verify its chain"},
            {kPermAuditExport, "Export the audit log"}});
    c->registrar->Start();
  }
  authz::RegisterPermissionCacheMetrics(metrics::Registry::Default(), "audit",
                                        c->roles_permissions->cache());
  authz::RegisterPermissionWatchMetrics(metrics::Registry::Default(), "audit", c->watcher.get());
  c->permissions = MakeRolesPermissionChecker(*c->roles_permissions);
  absl::StatusOr<std::unique_ptr<auth::CallAuthenticator>> authenticator =
      MakeAuthenticator(oidc_issuers);
  if (!authenticator.ok()) return authenticator.status();
  c->authenticator = *std::move(authenticator);
  c->guard = std::make_unique<CallGuard>(*c->authenticator);
  return c;
}

}  // namespace
}  // namespace backoffice::audit

int main(int argc, char** argv) {
  using namespace backoffice;  // NOLINT: wiring only
  std::unique_ptr<audit::Components> components;
  return server::RunServiceMain(
      {
          .name = "audit",
          .schema = "audit",
          .default_grpc_port = 50053,
          .default_admin_port = 9103,
          .migrations = audit::kMigrations,
          .make_services = [&components, argc, argv](pg::Pool& pool)
              -> absl::StatusOr<std::vector<std::unique_ptr<grpc::Service>>> {
            absl::StatusOr<std::vector<auth::OidcIssuer>> oidc_issuers =
                auth::OidcIssuersFromFlags(argc, argv);
            if (!oidc_issuers.ok()) return oidc_issuers.status();
            absl::StatusOr<std::unique_ptr<audit::Components>> assembled =
                audit::Assemble(pool, *oidc_issuers);
            if (!assembled.ok()) return assembled.status();
            components = *std::move(assembled);
            std::vector<std::unique_ptr<grpc::Service>> services;
            services.push_back(std::make_unique<audit::AuditServiceImpl>(audit::AuditServiceDeps{
                .store = *components->store,
                .guard = *components->guard,
                .permissions = *components->permissions,
                .signer = *components->signer,
                .service_issuer = absl::GetFlag(FLAGS_service_token_issuer),
            }));
            return services;
          },
      },
      argc, argv);
}
