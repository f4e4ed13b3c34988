#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace grpc {
class Service;
}

namespace backoffice::metrics {
class Registry;
}

namespace backoffice::server {

/// Where and how a service host listens.
struct HostOptions {
  /// Short service name, e.g. "users"; used in logs.
  std::string name;
  /// Address both ports bind to. Loopback locally; 0.0.0.0 inside a Kubernetes pod.
  std::string bind_address = "127.0.0.1";
  /// gRPC port; 0 picks a free one (see grpc_port()).
  int grpc_port = 0;
  /// Admin HTTP port for /metrics, /healthz, /readyz; 0 picks a free one.
  int admin_port = 0;
  /// Time between readiness turning false and the gRPC server stopping to accept calls, so load
  /// balancers stop routing here first (Kubernetes: a few seconds; tests: zero).
  absl::Duration drain_delay = absl::ZeroDuration();
  /// How long calls in flight may take to finish on shutdown before they are cancelled.
  absl::Duration shutdown_grace = absl::Seconds(20);
  /// How often readiness checks refresh the gRPC health status.
  absl::Duration health_interval = absl::Seconds(2);
  /// Most threads gRPC's synchronous server runs handlers on. Services whose handlers block on
  /// PostgreSQL use the synchronous API; keep this above the pool size so callers queue on the
  /// pool (with its deadline), not invisibly inside gRPC. A thread that finishes a call goes
  /// back to waiting for the next one (it does not exit), so busy services reuse their threads.
  int max_handler_threads = 64;
  /// Metrics exposed on /metrics and recorded by the RPC interceptor; null means the default.
  metrics::Registry* registry = nullptr;
};

/// A readiness check: OK when the dependency it watches is usable.
using ReadinessCheck = std::function<absl::Status()>;

/// Runs one gRPC server with everything a platform service needs around it: the gRPC health
/// service (kept in step with the readiness checks), server reflection, the request-id / metrics /
/// logging interceptor, and the admin HTTP port. Shutdown is graceful: readiness turns false,
/// the server stops accepting, calls in flight finish (up to the grace period), then it returns.
///
///   ServiceHost host({.name = "users", .grpc_port = 50051, .admin_port = 9101});
///   host.RegisterService(&users_service);
///   host.AddReadinessCheck("postgres", [&] { return pool->Ping(absl::Seconds(1)); });
///   if (absl::Status started = host.Start(); !started.ok()) { ... }
///   WaitForTerminationSignal();
///   host.Shutdown();
class ServiceHost {
 public:
  explicit ServiceHost(HostOptions options);
  ~ServiceHost();

  ServiceHost(const ServiceHost&) = delete;
  ServiceHost& operator=(const ServiceHost&) = delete;

  /// Adds a gRPC service before Start(). Not owned: it must outlive the host.
  void RegisterService(grpc::Service* service);

  /// Adds a readiness check before Start(); /readyz and the health status use all of them.
  void AddReadinessCheck(std::string name, ReadinessCheck check);

  /// Binds both ports and starts serving. Fails with a clear message if a port is taken.
  absl::Status Start();

  /// The bound ports, valid after Start().
  int grpc_port() const;
  int admin_port() const;

  /// Graceful stop; idempotent. Returns when the gRPC server has stopped.
  void Shutdown();

  /// Runs the readiness checks now: OK, or the first failure prefixed with its check's name.
  absl::Status CheckReadiness() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace backoffice::server
