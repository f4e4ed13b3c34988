#include "libs/outbox/audit_relay.h"

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "libs/auth/service_token.h"
#include "libs/jwt/key.h"
#include "libs/log/log.h"
#include "libs/metrics/metrics.h"
#include "libs/outbox/audit_sink.h"
#include "libs/outbox/relay.h"
#include "libs/pg/pool.h"
#include "libs/server/service_channel.h"

ABSL_FLAG(std::string, audit_address, "127.0.0.1:50053",
          "host:port of the audit service the outbox relay ships events to");
ABSL_FLAG(std::string, outbox_relay_key_file, "",
          "PEM private key signing this service's tokens for the audit service; empty: the "
          "outbox relay is off");
ABSL_FLAG(std::string, outbox_relay_key_id, "",
          "kid of that key, as listed in the audit service's --service_jwks_file");
ABSL_FLAG(int32_t, outbox_relay_batch_size, 100, "outbox events per AppendEvents call (1-500)");

namespace backoffice::outbox {
namespace {

class RunningAuditRelay final : public AuditRelay {
 public:
  RunningAuditRelay(std::unique_ptr<pg::Pool> pool,
                    std::unique_ptr<auth::ServiceTokenSource> tokens, EventSinkPtr sink,
                    const RelayOptions& options)
      : pool_(std::move(pool)),
        tokens_(std::move(tokens)),
        sink_(std::move(sink)),
        relay_(std::make_unique<Relay>(*pool_, *sink_, options)) {
    relay_->Start();
  }
  ~RunningAuditRelay() override { relay_->Stop(); }

 private:
  std::unique_ptr<pg::Pool> pool_;
  std::unique_ptr<auth::ServiceTokenSource> tokens_;
  EventSinkPtr sink_;
  std::unique_ptr<Relay> relay_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<AuditRelay>> AuditRelay::StartFromFlags(
    const pg::ConnectionOptions& connection, const std::string& service) {
  std::string key_file = absl::GetFlag(FLAGS_outbox_relay_key_file);
  if (key_file.empty()) {
    log::Info("outbox relay off (no --outbox_relay_key_file)", {{"service", service}});
    return std::unique_ptr<AuditRelay>();
  }
  int32_t batch_size = absl::GetFlag(FLAGS_outbox_relay_batch_size);
  if (batch_size < 1 || batch_size > 500) {
    return absl::InvalidArgumentError("--outbox_relay_batch_size: must be 1 to 500");
  }
  absl::StatusOr<jwt::PrivateKey> key = auth::LoadPrivateKeyFile(
      key_file, absl::GetFlag(FLAGS_outbox_relay_key_id), "--outbox_relay_key_file");
  if (!key.ok()) return key.status();
  pg::ConnectionOptions options = connection;
  options.search_path = service;
  options.application_name = absl::StrCat(service, "-outbox-relay");
  absl::StatusOr<std::unique_ptr<pg::Pool>> pool =
      pg::Pool::Create({.connection = options, .max_size = 2});
  if (!pool.ok()) return pool.status();

  auto tokens = std::make_unique<auth::ServiceTokenSource>(
      *std::move(key), auth::ServiceTokenOptions{.service = service});
  // Deliveries resume within seconds of the audit service coming back (short backoff).
  EventSinkPtr sink = MakeAuditSink(
      server::CreateServiceChannel(absl::GetFlag(FLAGS_audit_address)), *tokens, service);
  log::Info("outbox relay started",
            {{"service", service}, {"audit_address", absl::GetFlag(FLAGS_audit_address)}});
  return std::unique_ptr<AuditRelay>(new RunningAuditRelay(
      *std::move(pool), std::move(tokens), std::move(sink),
      RelayOptions{
          .schema = service, .batch_size = batch_size, .registry = &metrics::Registry::Default()}));
}

}  // namespace backoffice::outbox
