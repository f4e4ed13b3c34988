#include "libs/authz/roles_permissions_client.h"

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace backoffice::authz {

RolesPermissionsClient::RolesPermissionsClient(std::shared_ptr<grpc::Channel> roles,
                                               CacheOptions cache, absl::Duration deadline)
    : stub_(roles::v1::RolesService::NewStub(std::move(roles))),
      deadline_(deadline),
      cache_(cache) {}

absl::StatusOr<RolesPermissionsClient::Entry> RolesPermissionsClient::Of(
    std::string_view user_id, std::string_view authorization) {
  if (Entry hit = cache_.Find(user_id, absl::Now())) return hit;
  uint64_t generation = cache_.generation();
  grpc::ClientContext context;
  context.AddMetadata("authorization", std::string(authorization));
  context.set_deadline(absl::ToChronoTime(absl::Now() + deadline_));
  // A roles replica restarting costs latency, not refusals, within the deadline.
  context.set_wait_for_ready(true);
  roles::v1::GetEffectivePermissionsRequest request;
  request.set_user_id(std::string(user_id));
  roles::v1::GetEffectivePermissionsResponse response;
  grpc::Status status = stub_->GetEffectivePermissions(&context, request, &response);
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                        absl::StrCat("roles service: ", status.error_message()));
  }
  auto loaded = std::make_shared<const UserPermissions>(UserPermissions::FromProto(response));
  cache_.Insert(user_id, loaded, generation);
  return loaded;
}

}  // namespace backoffice::authz
