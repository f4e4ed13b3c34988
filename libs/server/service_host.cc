#include "libs/server/service_host.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/resource_quota.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "libs/log/log.h"
#include "libs/metrics/metrics.h"
#include "libs/server/admin_http_server.h"
#include "libs/server/keepalive.h"
#include "libs/server/rpc_interceptor.h"

namespace backoffice::server {

class ServiceHost::Impl {
 public:
  explicit Impl(HostOptions options) : options_(std::move(options)) {
    if (options_.registry == nullptr) {
      options_.registry = &metrics::Registry::Default();
    }
  }

  ~Impl() { Shutdown(); }

  void RegisterService(grpc::Service* service) { services_.push_back(service); }

  void AddReadinessCheck(std::string name, ReadinessCheck check) {
    checks_.emplace_back(std::move(name), std::move(check));
  }

  absl::Status Start() {
    absl::StatusOr<AdminHttpServerPtr> admin =
        AdminHttpServer::Start(options_.bind_address, options_.admin_port,
                               [this](std::string_view path) { return AnswerAdmin(path); });
    if (!admin.ok()) {
      return admin.status();
    }
    admin_ = std::move(*admin);

    grpc::EnableDefaultHealthCheckService(true);
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
    grpc::ServerBuilder builder;
    // gRPC sets SO_REUSEPORT by default, which lets a second process silently share the port.
    builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    SetServerKeepalive(builder, absl::Seconds(30));
    grpc::ResourceQuota quota(options_.name);
    quota.SetMaxThreads(options_.max_handler_threads);
    builder.SetResourceQuota(quota);
    // The synchronous server's default (at most 2 idle pollers) makes every thread that finishes
    // a call while two others poll exit, and the next burst start new ones: under 32 concurrent
    // callers that was hundreds of thread creations and exits a second (clone, stack mmap/munmap,
    // per-thread OpenSSL and malloc teardown). Handler threads keep polling instead, up to the
    // quota; idle ones still exit after gRPC's poll timeout (10 s) down to one.
    builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS,
                                options_.max_handler_threads);
    int bound_port = 0;
    builder.AddListeningPort(absl::StrCat(options_.bind_address, ":", options_.grpc_port),
                             grpc::InsecureServerCredentials(), &bound_port);
    for (grpc::Service* service : services_) {
      builder.RegisterService(service);
    }
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> factories;
    factories.push_back(MakeRpcInterceptorFactory(*options_.registry));
    builder.experimental().SetInterceptorCreators(std::move(factories));
    server_ = builder.BuildAndStart();
    if (server_ == nullptr || bound_port == 0) {
      admin_->Stop();
      return absl::UnavailableError(absl::StrCat("cannot listen for gRPC on ",
                                                 options_.bind_address, ":", options_.grpc_port,
                                                 " (address in use or not local)"));
    }
    grpc_port_ = bound_port;
    UpdateHealth();
    health_thread_ = std::thread([this] { RefreshHealthUntilShutdown(); });
    log::Info("service started",
              {{"service", options_.name},
               {"grpc_address", absl::StrCat(options_.bind_address, ":", grpc_port_)},
               {"admin_address", absl::StrCat(options_.bind_address, ":", admin_->port())}});
    return absl::OkStatus();
  }

  int grpc_port() const { return grpc_port_; }
  int admin_port() const { return admin_ == nullptr ? 0 : admin_->port(); }

  void Shutdown() {
    if (server_ == nullptr || shutting_down_.exchange(true)) {
      return;
    }
    log::Info("service draining", {{"service", options_.name}});
    stop_health_.Notify();
    if (health_thread_.joinable()) {
      health_thread_.join();
    }
    server_->GetHealthCheckService()->SetServingStatus(false);
    absl::SleepFor(options_.drain_delay);
    // Stops accepting new calls, lets calls in flight finish until the deadline, then cancels.
    server_->Shutdown(std::chrono::system_clock::now() +
                      absl::ToChronoSeconds(options_.shutdown_grace));
    server_->Wait();
    admin_->Stop();
    log::Info("service stopped", {{"service", options_.name}});
  }

  absl::Status CheckReadiness() const {
    if (shutting_down_) {
      return absl::UnavailableError("shutting down");
    }
    for (const auto& [name, check] : checks_) {
      if (absl::Status status = check(); !status.ok()) {
        return absl::Status(status.code(), absl::StrCat(name, ": ", status.message()));
      }
    }
    return absl::OkStatus();
  }

 private:
  AdminResponse AnswerAdmin(std::string_view path) {
    if (path == "/metrics") {
      return {200, std::string(metrics::kContentType), options_.registry->Render()};
    }
    if (path == "/healthz") {
      return {200, "text/plain; charset=utf-8", "ok\n"};
    }
    if (path == "/readyz") {
      absl::Status ready = CheckReadiness();
      if (ready.ok()) {
        return {200, "text/plain; charset=utf-8", "ready\n"};
      }
      return {503, "text/plain; charset=utf-8", absl::StrCat("not ready: ", ready.message(), "\n")};
    }
    return {404, "text/plain; charset=utf-8", "not found\n"};
  }

  void UpdateHealth() {
    bool serving = CheckReadiness().ok();
    server_->GetHealthCheckService()->SetServingStatus(serving);
  }

  void RefreshHealthUntilShutdown() {
    while (!stop_health_.WaitForNotificationWithTimeout(options_.health_interval)) {
      UpdateHealth();
    }
  }

  HostOptions options_;
  std::vector<grpc::Service*> services_;
  std::vector<std::pair<std::string, ReadinessCheck>> checks_;
  std::unique_ptr<grpc::Server> server_;
  AdminHttpServerPtr admin_;
  int grpc_port_ = 0;
  std::atomic<bool> shutting_down_{false};
  absl::Notification stop_health_;
  std::thread health_thread_;
};

ServiceHost::ServiceHost(HostOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
ServiceHost::~ServiceHost() = default;

void ServiceHost::RegisterService(grpc::Service* service) { impl_->RegisterService(service); }

void ServiceHost::AddReadinessCheck(std::string name, ReadinessCheck check) {
  impl_->AddReadinessCheck(std::move(name), std::move(check));
}

absl::Status ServiceHost::Start() { return impl_->Start(); }
int ServiceHost::grpc_port() const { return impl_->grpc_port(); }
int ServiceHost::admin_port() const { return impl_->admin_port(); }
void ServiceHost::Shutdown() { impl_->Shutdown(); }
absl::Status ServiceHost::CheckReadiness() const { return impl_->CheckReadiness(); }

}  // namespace backoffice::server
