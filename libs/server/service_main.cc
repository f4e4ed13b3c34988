#include "libs/server/service_main.h"

#include <grpc/support/log.h>
#include <grpcpp/impl/codegen/service_type.h>

#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/config/command_line.h"
#include "libs/config/secret_file.h"
#include "libs/log/log.h"
#include "libs/metrics/metrics.h"
#include "libs/pg/migrate.h"
#include "libs/pg/pool.h"
#include "libs/server/process_metrics.h"
#include "libs/server/service_host.h"
#include "libs/server/termination_signal.h"

// Every flag also reads BACKOFFICE_<NAME> from the environment when not given on the command line.
ABSL_FLAG(int, grpc_port, 0, "gRPC port (default: the service's own, e.g. users 50051)");
ABSL_FLAG(int, admin_port, 0, "admin HTTP port for /metrics /healthz /readyz (default: 91xx)");
ABSL_FLAG(std::string, bind_address, "127.0.0.1", "address to listen on; 0.0.0.0 in a pod");
ABSL_FLAG(std::string, db_host, "127.0.0.1", "PostgreSQL host");
ABSL_FLAG(int, db_port, 55432, "PostgreSQL port (55432 is the local stack of ./dev up)");
ABSL_FLAG(std::string, db_name, "backoffice", "PostgreSQL database");
ABSL_FLAG(std::string, db_user, "backoffice", "PostgreSQL user");
ABSL_FLAG(std::string, db_password_file, "", "file holding the PostgreSQL password; empty: none");
ABSL_FLAG(int, db_pool_size, 16, "maximum PostgreSQL connections of this process");
ABSL_FLAG(bool, migrate_only, false, "apply database migrations, then exit");
ABSL_FLAG(std::string, log_level, "info", "debug, info, warn or error");
ABSL_FLAG(absl::Duration, drain_delay, absl::ZeroDuration(),
          "on SIGTERM, time to report not-ready before refusing new calls");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(20),
          "on SIGTERM, time calls in flight get to finish");

namespace backoffice::server {
namespace {

// gRPC core logs through gpr_log to stderr in its own format; send it through our JSON logger so
// every line a service writes is one JSON object.
void LogFromGrpc(gpr_log_func_args* args) {
  std::initializer_list<log::Field> fields = {
      {"source", "grpc"}, {"file", args->file}, {"line", static_cast<int64_t>(args->line)}};
  switch (args->severity) {
    case GPR_LOG_SEVERITY_ERROR:
      log::Warn(args->message, fields);
      break;
    case GPR_LOG_SEVERITY_INFO:
      log::Info(args->message, fields);
      break;
    default:
      log::Debug(args->message, fields);
      break;
  }
}

// Pool gauges, read when /metrics is scraped.
void RegisterPoolMetrics(metrics::Registry& registry, pg::Pool& pool) {
  registry.GaugeCallback("backoffice_pg_pool_in_use_connections",
                         "PostgreSQL connections lent out right now.",
                         [&pool] { return pool.stats().in_use; });
  registry.GaugeCallback("backoffice_pg_pool_idle_connections",
                         "Open PostgreSQL connections waiting in the pool.",
                         [&pool] { return pool.stats().idle; });
  registry.GaugeCallback("backoffice_pg_pool_max_connections",
                         "Most PostgreSQL connections the pool opens.",
                         [&pool] { return pool.stats().max_size; });
  registry.GaugeCallback("backoffice_pg_pool_acquire_waits",
                         "Acquires so far that waited because every connection was busy.",
                         [&pool] { return static_cast<double>(pool.stats().acquire_waits); });
  registry.GaugeCallback("backoffice_pg_pool_acquire_timeouts",
                         "Acquires so far that gave up waiting.",
                         [&pool] { return static_cast<double>(pool.stats().acquire_timeouts); });
}

int Fail(const absl::Status& status) {
  log::Error(status.message());
  return 1;
}

absl::StatusOr<pg::PoolOptions> PoolOptionsFromFlags(const ServiceSpec& spec) {
  pg::PoolOptions options;
  options.connection.host = absl::GetFlag(FLAGS_db_host);
  options.connection.port = absl::GetFlag(FLAGS_db_port);
  options.connection.dbname = absl::GetFlag(FLAGS_db_name);
  options.connection.user = absl::GetFlag(FLAGS_db_user);
  options.connection.application_name = absl::StrCat("backoffice-", spec.name);
  options.connection.search_path = spec.schema;
  options.max_size = absl::GetFlag(FLAGS_db_pool_size);
  if (options.max_size < 1) {
    return absl::InvalidArgumentError("--db_pool_size must be at least 1");
  }
  if (std::string path = absl::GetFlag(FLAGS_db_password_file); !path.empty()) {
    absl::StatusOr<std::string> password = config::ReadSecretFile(path);
    if (!password.ok()) {
      return absl::Status(password.status().code(),
                          absl::StrCat("--db_password_file: ", password.status().message()));
    }
    options.connection.password = *std::move(password);
  }
  return options;
}

}  // namespace

int RunServiceMain(const ServiceSpec& spec, int argc, char** argv) {
  // Debian's Abseil is built without NDEBUG, so every absl::Mutex lock (gRPC's included) ran
  // the debug lock-order cycle detector: a global graph lookup per acquisition, 1-2% of the
  // users service's and the BFF's CPU under load (bench/README.md, BFF). Unit tests, which do not
  // run this, keep it on.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  BlockTerminationSignals();
  gpr_set_log_function(LogFromGrpc);
  absl::SetFlag(&FLAGS_grpc_port, spec.default_grpc_port);
  absl::SetFlag(&FLAGS_admin_port, spec.default_admin_port);
  config::ParseCommandLine(
      argc, argv,
      absl::StrCat("The ", spec.name, " service of the backoffice platform (gRPC).\n",
                   "Flags may also come from environment variables BACKOFFICE_<FLAG_NAME>."));

  absl::StatusOr<log::Level> level = log::ParseLevel(absl::GetFlag(FLAGS_log_level));
  if (!level.ok()) {
    return Fail(
        absl::InvalidArgumentError(absl::StrCat("--log_level: ", level.status().message())));
  }
  log::SetMinLevel(*level);

  absl::StatusOr<pg::PoolOptions> pool_options = PoolOptionsFromFlags(spec);
  if (!pool_options.ok()) {
    return Fail(pool_options.status());
  }
  absl::StatusOr<std::unique_ptr<pg::Pool>> pool = pg::Pool::Create(*pool_options);
  if (!pool.ok()) {
    return Fail(pool.status());
  }
  if (absl::Status migrated = pg::Migrate(**pool, spec.schema, spec.migrations); !migrated.ok()) {
    return Fail(
        absl::Status(migrated.code(), absl::StrCat("migrations failed: ", migrated.message())));
  }
  if (absl::GetFlag(FLAGS_migrate_only)) {
    log::Info("migrations applied; exiting (--migrate_only)", {{"schema", spec.schema}});
    return 0;
  }

  absl::StatusOr<std::vector<std::unique_ptr<grpc::Service>>> services = spec.make_services(**pool);
  if (!services.ok()) {
    return Fail(services.status());
  }
  ServiceHost host({
      .name = spec.name,
      .bind_address = absl::GetFlag(FLAGS_bind_address),
      .grpc_port = absl::GetFlag(FLAGS_grpc_port),
      .admin_port = absl::GetFlag(FLAGS_admin_port),
      .drain_delay = absl::GetFlag(FLAGS_drain_delay),
      .shutdown_grace = absl::GetFlag(FLAGS_shutdown_grace),
  });
  for (const std::unique_ptr<grpc::Service>& service : *services) {
    host.RegisterService(service.get());
  }
  pg::Pool& pool_ref = **pool;
  RegisterProcessMetrics(metrics::Registry::Default(), spec.name);
  RegisterPoolMetrics(metrics::Registry::Default(), pool_ref);
  host.AddReadinessCheck("postgres", [&pool_ref] { return pool_ref.Ping(absl::Seconds(1)); });
  if (absl::Status started = host.Start(); !started.ok()) {
    return Fail(started);
  }
  int signal = WaitForTerminationSignal();
  log::Info("termination signal received", {{"signal", signal}});
  if (spec.on_drain) spec.on_drain();
  host.Shutdown();
  return 0;
}

}  // namespace backoffice::server
