#include "libs/auth/users_jwks_fetcher.h"

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "proto/users/v1/users.grpc.pb.h"

namespace backoffice::auth {
namespace {

class GrpcJwksFetcher final : public jwt::JwksFetcher {
 public:
  explicit GrpcJwksFetcher(std::shared_ptr<grpc::Channel> channel)
      : stub_(users::v1::UsersService::NewStub(std::move(channel))) {}

  absl::StatusOr<std::string> Fetch() override {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    users::v1::GetJwksResponse response;
    grpc::Status status = stub_->GetJwks(&context, users::v1::GetJwksRequest(), &response);
    if (!status.ok()) {
      return absl::UnavailableError(
          absl::StrCat("users service GetJwks failed: ", status.error_message()));
    }
    return response.jwks_json();
  }

 private:
  std::unique_ptr<users::v1::UsersService::Stub> stub_;
};

}  // namespace

jwt::JwksFetcherPtr MakeGrpcJwksFetcher(std::shared_ptr<grpc::Channel> channel) {
  return std::make_unique<GrpcJwksFetcher>(std::move(channel));
}

}  // namespace backoffice::auth
