#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "proto/users/v1/users.grpc.pb.h"
#include "services/roles/store/rbac_types.h"
#include "services/roles/user_directory.h"

namespace backoffice::roles {
namespace {

// BatchGetUsers takes at most this many ids.
constexpr size_t kBatchLimit = 500;

void PrepareContext(grpc::ClientContext& context, std::string_view authorization) {
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  context.AddMetadata("authorization", std::string(authorization));
}

class GrpcUserDirectory final : public UserDirectory {
 public:
  explicit GrpcUserDirectory(std::shared_ptr<grpc::Channel> channel)
      : stub_(users::v1::UsersService::NewStub(std::move(channel))) {}

  absl::Status CheckUserExists(std::string_view user_id, std::string_view authorization) override {
    grpc::ClientContext context;
    PrepareContext(context, authorization);
    users::v1::GetUserRequest request;
    request.set_id(std::string(user_id));
    users::v1::User user;
    grpc::Status status = stub_->GetUser(&context, request, &user);
    if (status.ok()) {
      if (user.status() == users::v1::USER_STATUS_DELETED) {
        return absl::NotFoundError(absl::StrCat("user_id: user ", Absl(user_id), " is deleted"));
      }
      return absl::OkStatus();
    }
    std::string message = absl::StrCat("users service: ", status.error_message());
    switch (status.error_code()) {
      case grpc::StatusCode::NOT_FOUND:
        return absl::NotFoundError(absl::StrCat("user_id: no user ", Absl(user_id)));
      case grpc::StatusCode::UNAVAILABLE:
        return absl::UnavailableError("users service unavailable; retry later");
      case grpc::StatusCode::DEADLINE_EXCEEDED:
        return absl::DeadlineExceededError("users service did not answer in time");
      case grpc::StatusCode::PERMISSION_DENIED:
        return absl::PermissionDeniedError(message);
      case grpc::StatusCode::UNAUTHENTICATED:
        return absl::UnauthenticatedError(message);
      case grpc::StatusCode::INVALID_ARGUMENT:
        return absl::InvalidArgumentError(absl::StrCat("user_id: ", status.error_message()));
      default:
        return absl::UnavailableError(absl::StrCat("users service failed: ", message));
    }
  }

  absl::StatusOr<std::vector<std::string>> ActiveUsers(const std::vector<std::string>& user_ids,
                                                       std::string_view authorization) override {
    std::vector<std::string> active;
    for (size_t start = 0; start < user_ids.size(); start += kBatchLimit) {
      grpc::ClientContext context;
      PrepareContext(context, authorization);
      users::v1::BatchGetUsersRequest request;
      size_t end = std::min(user_ids.size(), start + kBatchLimit);
      for (size_t i = start; i < end; ++i) request.add_ids(user_ids[i]);
      users::v1::BatchGetUsersResponse response;
      grpc::Status status = stub_->BatchGetUsers(&context, request, &response);
      if (!status.ok()) return BatchError(status);
      for (const users::v1::User& user : response.users()) {
        if (user.status() == users::v1::USER_STATUS_ACTIVE) active.push_back(user.id());
      }
    }
    return active;
  }

 private:
  static absl::Status BatchError(const grpc::Status& status) {
    std::string message = absl::StrCat("users service: ", status.error_message());
    switch (status.error_code()) {
      case grpc::StatusCode::UNAVAILABLE:
        return absl::UnavailableError(
            "users service unavailable, so whether an active admin remains is unknown; retry "
            "later");
      case grpc::StatusCode::DEADLINE_EXCEEDED:
        return absl::DeadlineExceededError("users service did not answer in time");
      case grpc::StatusCode::PERMISSION_DENIED:
        return absl::PermissionDeniedError(absl::StrCat(
            "revoking or shortening an admin grant needs users:read to check that an active "
            "admin remains; ",
            message));
      case grpc::StatusCode::UNAUTHENTICATED:
        return absl::UnauthenticatedError(message);
      default:
        return absl::UnavailableError(absl::StrCat("users service failed: ", message));
    }
  }

  std::unique_ptr<users::v1::UsersService::Stub> stub_;
};

}  // namespace

std::unique_ptr<UserDirectory> MakeGrpcUserDirectory(std::shared_ptr<grpc::Channel> channel) {
  return std::make_unique<GrpcUserDirectory>(std::move(channel));
}

}  // namespace backoffice::roles
