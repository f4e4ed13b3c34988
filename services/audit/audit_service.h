// The gRPC handlers of AuditService (proto/audit/v1/audit.proto). Synchronous API: handlers block
// on PostgreSQL (docs/decisions/0003-sync-grpc-for-db-services.md). Each handler admits the call
// (CallGuard: a verified token), checks what the caller may do (service accounts append; users
// need audit:read / audit:export, asked of the roles service), checks the request, calls the
// EventStore and converts the result with server::ToGrpcStatus.
#pragma once

#include <grpcpp/server_context.h>

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "proto/audit/v1/audit.grpc.pb.h"
#include "services/audit/call_guard.h"
#include "services/audit/checkpoint_signer.h"
#include "services/audit/permission_checker.h"
#include "services/audit/store/event_store.h"

namespace backoffice::audit {

/// What the handlers work with; every reference must outlive the service.
struct AuditServiceDeps {
  EventStore& store;
  const CallGuard& guard;
  PermissionChecker& permissions;
  const CheckpointSigner& signer;
  /// The `iss` of service-account tokens allowed to append (main.cc: --service_token_issuer).
  std::string service_issuer;
};

/// Largest number of events one export may cover.
inline constexpr int64_t kMaxExportEvents = 5'000'000;

/// AuditService over the EventStore. Thread-safe.
class AuditServiceImpl final : public v1::AuditService::Service {
 public:
  explicit AuditServiceImpl(AuditServiceDeps deps) : deps_(std::move(deps)) {}

  grpc::Status AppendEvents(grpc::ServerContext* context, const v1::AppendEventsRequest* request,
                            v1::AppendEventsResponse* response) override;
  grpc::Status GetEvent(grpc::ServerContext* context, const v1::GetEventRequest* request,
                        v1::AuditEvent* response) override;
  grpc::Status QueryEvents(grpc::ServerContext* context, const v1::QueryEventsRequest* request,
                           v1::QueryEventsResponse* response) override;
  grpc::Status ExportEvents(grpc::ServerContext* context, const v1::ExportEventsRequest* request,
                            grpc::ServerWriter<v1::ExportEventsResponse>* writer) override;
  grpc::Status VerifyChain(grpc::ServerContext* context, const v1::VerifyChainRequest* request,
                           v1::VerifyChainResponse* response) override;
  grpc::Status GetCheckpoint(grpc::ServerContext* context, const v1::GetCheckpointRequest* request,
                             v1::Checkpoint* response) override;

 private:
  // Admits the call, runs `body`, converts its status.
  grpc::Status Handle(grpc::ServerContext& context,
                      const std::function<absl::Status(const CallScope&)>& body);
  // AppendEvents is for service accounts of the configured issuer; returns the service name.
  absl::StatusOr<std::string> RequireService(const CallScope& call) const;
  // Records an export in the log itself.
  absl::Status RecordExport(const CallScope& call, const v1::ExportEventsRequest& request);

  AuditServiceDeps deps_;
};

}  // namespace backoffice::audit
