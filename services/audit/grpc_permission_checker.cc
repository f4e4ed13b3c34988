#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "libs/errors/error_details.h"
#include "proto/roles/v1/roles.grpc.pb.h"
#include "services/audit/permission_checker.h"

namespace backoffice::audit {
namespace {

absl::Status Missing(std::string_view permission) {
  return errors::WithErrorReason(
      absl::PermissionDeniedError(absl::StrCat(
          "missing permission ", absl::string_view(permission.data(), permission.size()))),
      "MISSING_PERMISSION");
}

class GrpcPermissionChecker final : public PermissionChecker {
 public:
  explicit GrpcPermissionChecker(std::shared_ptr<grpc::Channel> channel)
      : stub_(roles::v1::RolesService::NewStub(std::move(channel))) {}

  absl::Status Require(const CallScope& call, std::string_view permission) override {
    if (call.caller.kind == auth::Caller::Kind::kService) return Missing(permission);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    context.AddMetadata("authorization", call.authorization);
    if (!call.request_id.empty()) context.AddMetadata("x-request-id", call.request_id);
    roles::v1::CheckPermissionRequest request;
    request.set_permission(std::string(permission));
    roles::v1::CheckPermissionResponse response;
    grpc::Status status = stub_->CheckPermission(&context, request, &response);
    if (!status.ok()) {
      if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
        return absl::UnauthenticatedError(
            absl::StrCat("roles service refused the token: ", status.error_message()));
      }
      return absl::UnavailableError(
          absl::StrCat("roles service CheckPermission failed: ", status.error_message()));
    }
    if (!response.allowed()) return Missing(permission);
    return absl::OkStatus();
  }

 private:
  std::unique_ptr<roles::v1::RolesService::Stub> stub_;
};

}  // namespace

PermissionCheckerPtr MakeGrpcPermissionChecker(std::shared_ptr<grpc::Channel> roles_channel) {
  return std::make_unique<GrpcPermissionChecker>(std::move(roles_channel));
}

}  // namespace backoffice::audit
