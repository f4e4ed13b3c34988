// A relay in a process of its own, for tests that SIGKILL it mid-batch: ships the outbox of
// --schema to the audit service at --audit_address until SIGTERM.
#include <grpcpp/create_channel.h>
#include <signal.h>

#include <fstream>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "libs/jwt/key.h"
#include "libs/outbox/audit_sink.h"
#include "libs/outbox/relay.h"
#include "libs/pg/pool.h"

ABSL_FLAG(std::string, db_host, "127.0.0.1", "PostgreSQL host");
ABSL_FLAG(int32_t, db_port, 5432, "PostgreSQL port");
ABSL_FLAG(std::string, db_name, "", "database");
ABSL_FLAG(std::string, db_user, "postgres", "user");
ABSL_FLAG(std::string, schema, "users", "schema of the outbox (and the service's name)");
ABSL_FLAG(std::string, audit_address, "", "host:port of the audit service");
ABSL_FLAG(std::string, service_key_file, "", "PEM private key signing service tokens");
ABSL_FLAG(std::string, service_key_id, "", "its kid");
ABSL_FLAG(int32_t, batch_size, 50, "events per batch");

int main(int argc, char** argv) {
  using namespace backoffice;  // NOLINT: test tool
  absl::ParseCommandLine(argc, argv);
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  pg::ConnectionOptions connection{.host = absl::GetFlag(FLAGS_db_host),
                                   .port = absl::GetFlag(FLAGS_db_port),
                                   .dbname = absl::GetFlag(FLAGS_db_name),
                                   .user = absl::GetFlag(FLAGS_db_user),
                                   .search_path = absl::GetFlag(FLAGS_schema)};
  absl::StatusOr<std::unique_ptr<pg::Pool>> pool =
      pg::Pool::Create({.connection = connection, .max_size = 2});
  if (!pool.ok()) return 1;
  std::ifstream in(absl::GetFlag(FLAGS_service_key_file));
  std::stringstream pem;
  pem << in.rdbuf();
  absl::StatusOr<jwt::PrivateKey> key =
      jwt::PrivateKey::FromPem(pem.str(), absl::GetFlag(FLAGS_service_key_id));
  if (!key.ok()) return 1;
  auth::ServiceTokenSource tokens(*std::move(key), {.service = absl::GetFlag(FLAGS_schema)});
  outbox::EventSinkPtr sink = outbox::MakeAuditSink(
      grpc::CreateChannel(absl::GetFlag(FLAGS_audit_address), grpc::InsecureChannelCredentials()),
      tokens, absl::GetFlag(FLAGS_schema));
  outbox::Relay relay(**pool, *sink,
                      {.schema = absl::GetFlag(FLAGS_schema),
                       .batch_size = absl::GetFlag(FLAGS_batch_size),
                       .poll_interval = absl::Milliseconds(200),
                       .initial_backoff = absl::Milliseconds(50),
                       .max_backoff = absl::Milliseconds(500)});
  relay.Start();
  int signal = 0;
  sigwait(&signals, &signal);
  relay.Stop();
  return 0;
}
