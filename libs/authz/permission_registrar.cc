#include "libs/authz/permission_registrar.h"

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/log/log.h"
#include "proto/roles/v1/roles.grpc.pb.h"

namespace backoffice::authz {

PermissionRegistrar::PermissionRegistrar(std::shared_ptr<grpc::Channel> roles,
                                         PermissionWatcher::TokenSource token, std::string service,
                                         std::vector<PermissionSpec> permissions,
                                         absl::Duration max_retry_delay)
    : roles_(std::move(roles)),
      token_(std::move(token)),
      service_(std::move(service)),
      permissions_(std::move(permissions)),
      max_retry_delay_(max_retry_delay) {}

PermissionRegistrar::~PermissionRegistrar() { Stop(); }

void PermissionRegistrar::Start() {
  thread_ = std::thread([this] { Run(); });
}

void PermissionRegistrar::Stop() {
  if (!stopping_.HasBeenNotified()) stopping_.Notify();
  if (thread_.joinable()) thread_.join();
}

void PermissionRegistrar::Run() {
  absl::Duration delay = absl::Milliseconds(200);
  while (!stopping_.HasBeenNotified()) {
    absl::Status status = RegisterOnce();
    if (status.ok()) return;
    log::Warn("permissions not registered yet; retrying",
              {{"service", service_},
               {"error", status.ToString()},
               {"retry_in_ms", absl::ToInt64Milliseconds(delay)}});
    if (stopping_.WaitForNotificationWithTimeout(delay)) return;
    delay = std::min(delay * 2, max_retry_delay_);
  }
}

absl::Status PermissionRegistrar::RegisterOnce() {
  absl::StatusOr<std::string> token = token_();
  if (!token.ok()) return token.status();
  grpc::ClientContext context;
  context.AddMetadata("authorization", absl::StrCat("Bearer ", *token));
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  roles::v1::RegisterPermissionsRequest request;
  request.set_service(service_);
  for (const PermissionSpec& spec : permissions_) {
    roles::v1::Permission* permission = request.add_permissions();
    permission->set_name(spec.name);
    permission->set_description(spec.description);
  }
  roles::v1::RegisterPermissionsResponse response;
  grpc::Status status =
      roles::v1::RolesService::NewStub(roles_)->RegisterPermissions(&context, request, &response);
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  }
  registered_.store(true);
  log::Info("permissions registered with the roles service",
            {{"service", service_},
             {"created", static_cast<int64_t>(response.created_count())},
             {"updated", static_cast<int64_t>(response.updated_count())},
             {"unchanged", static_cast<int64_t>(response.unchanged_count())}});
  return absl::OkStatus();
}

}  // namespace backoffice::authz
