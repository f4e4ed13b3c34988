#include "bff/app/grpc_jwks_fetcher.h"

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "proto/users/v1/users.grpc.pb.h"

namespace backoffice::bff::app {
namespace {

class GrpcJwksFetcher final : public jwt::JwksFetcher {
 public:
  GrpcJwksFetcher(std::shared_ptr<grpc::Channel> channel, absl::Duration deadline)
      : stub_(users::v1::UsersService::NewStub(std::move(channel))), deadline_(deadline) {}

  absl::StatusOr<std::string> Fetch() override {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + deadline_));
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
  absl::Duration deadline_;
};

}  // namespace

jwt::JwksFetcherPtr MakeGrpcJwksFetcher(std::shared_ptr<grpc::Channel> channel,
                                        absl::Duration deadline) {
  return std::make_unique<GrpcJwksFetcher>(std::move(channel), deadline);
}

}  // namespace backoffice::bff::app
