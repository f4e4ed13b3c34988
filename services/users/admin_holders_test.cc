// MakeRolesAdminHolders fails closed: whatever keeps it from an answer is UNAVAILABLE "cannot
// check that an active admin remains" (the roles service's own answers are covered end to end
// in services/users/it).
#include "services/users/admin_holders.h"

#include <grpcpp/create_channel.h>

#include <catch2/catch.hpp>

#include "absl/status/status.h"
#include "absl/strings/match.h"

namespace backoffice::users {
namespace {

TEST_CASE("no roles service, or no token, is UNAVAILABLE: the rule cannot be checked") {
  // Nothing listens on port 1 of loopback: the connection is refused at once.
  std::shared_ptr<grpc::Channel> nowhere =
      grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials());
  AdminHoldersPtr unreachable = MakeRolesAdminHolders(
      nowhere, [] { return std::string("token"); }, absl::Seconds(5));
  absl::StatusOr<std::vector<std::string>> holders = unreachable->List();
  INFO(holders.status().message());
  CHECK(holders.status().code() == absl::StatusCode::kUnavailable);
  CHECK(absl::StartsWith(holders.status().message(),
                         "cannot check that an active admin remains: the roles service answered"));

  AdminHoldersPtr tokenless = MakeRolesAdminHolders(
      nowhere,
      []() -> absl::StatusOr<std::string> {
        return absl::InvalidArgumentError("--service_key_file: unusable");
      },
      absl::Seconds(5));
  absl::StatusOr<std::vector<std::string>> none = tokenless->List();
  CHECK(none.status().code() == absl::StatusCode::kUnavailable);
  CHECK(none.status().message() ==
        "cannot check that an active admin remains: --service_key_file: unusable");
}

}  // namespace
}  // namespace backoffice::users
