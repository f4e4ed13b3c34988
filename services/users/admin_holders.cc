#include "services/users/admin_holders.h"

#include <grpcpp/grpcpp.h>

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "proto/roles/v1/roles.grpc.pb.h"

namespace backoffice::users {
namespace {

// Far more admins than any organization has; only stops a roles service that never ends paging.
constexpr int kMaxPages = 100;

absl::Status CannotCheck(absl::string_view why) {
  return absl::UnavailableError(absl::StrCat("cannot check that an active admin remains: ", why));
}

class RolesAdminHolders final : public AdminHolders {
 public:
  RolesAdminHolders(std::shared_ptr<grpc::Channel> channel, authz::TokenSource tokens,
                    absl::Duration deadline)
      : stub_(roles::v1::RolesService::NewStub(std::move(channel))),
        tokens_(std::move(tokens)),
        deadline_(deadline) {}

  absl::StatusOr<std::vector<std::string>> List() override {
    std::vector<std::string> holders;
    roles::v1::ListRoleMembersRequest request;
    request.set_role_id(kAdminRoleId);
    request.mutable_page()->set_page_size(500);
    for (int page = 0; page < kMaxPages; ++page) {
      absl::StatusOr<std::string> token = tokens_();
      if (!token.ok()) return CannotCheck(token.status().message());
      grpc::ClientContext context;
      context.AddMetadata("authorization", absl::StrCat("Bearer ", *token));
      context.set_deadline(absl::ToChronoTime(absl::Now() + deadline_));
      roles::v1::ListRoleMembersResponse response;
      grpc::Status status = stub_->ListRoleMembers(&context, request, &response);
      if (!status.ok()) {
        return CannotCheck(absl::StrCat("the roles service answered ListRoleMembers with code ",
                                        static_cast<int>(status.error_code()), ": ",
                                        status.error_message()));
      }
      for (const roles::v1::RoleGrant& grant : response.grants()) {
        holders.push_back(grant.user_id());
      }
      if (response.page_info().next_page_token().empty()) return holders;
      request.mutable_page()->set_page_token(response.page_info().next_page_token());
    }
    return CannotCheck("the roles service's admin members did not end after 100 pages");
  }

 private:
  std::unique_ptr<roles::v1::RolesService::Stub> stub_;
  authz::TokenSource tokens_;
  absl::Duration deadline_;
};

}  // namespace

AdminHoldersPtr MakeRolesAdminHolders(std::shared_ptr<grpc::Channel> channel,
                                      authz::TokenSource tokens, absl::Duration deadline) {
  return std::make_unique<RolesAdminHolders>(std::move(channel), std::move(tokens), deadline);
}

}  // namespace backoffice::users
