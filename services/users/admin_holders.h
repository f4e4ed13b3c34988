// Who holds the `admin` role, asked of the roles service (which owns grants) as this service
// itself: DeleteUser, DisableUser and ImportUsers' disabling rows pass the answer to the store's
// last-admin rule (LastAdminCheck, store/user_store.h). The call carries the users service's own
// service-account token, never the caller's: a caller allowed users:delete need not hold
// roles:read. An interface so the handlers could be tested with a fake; the binary uses
// MakeRolesAdminHolders.
//
//   AdminHoldersPtr admins = MakeRolesAdminHolders(roles_channel, *std::move(tokens), deadline);
//   absl::StatusOr<std::vector<std::string>> holders = admins->List();
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/authz/service_key.h"

namespace grpc {
class Channel;
}

namespace backoffice::users {

/// The `admin` system role's fixed id, as the roles service seeds it
/// (services/roles/store/rbac_types.h kAdminRoleId; a contract between the two services).
inline constexpr char kAdminRoleId[] = "01900000-0000-7000-8000-000000000001";

class AdminHolders {
 public:
  virtual ~AdminHolders() = default;

  /// The ids of every user holding an unexpired `admin` grant (directly; every page). UNAVAILABLE
  /// "cannot check that an active admin remains: ..." whenever the roles service does not answer
  /// them (down, slow, refusing this service's token): callers then refuse the change.
  virtual absl::StatusOr<std::vector<std::string>> List() = 0;
};
using AdminHoldersPtr = std::unique_ptr<AdminHolders>;

/// AdminHolders over RolesService.ListRoleMembers (500 grants a page) on `channel`, each page
/// authenticated with a fresh token from `tokens` and bounded by `deadline`. Thread-safe.
AdminHoldersPtr MakeRolesAdminHolders(std::shared_ptr<grpc::Channel> channel,
                                      authz::TokenSource tokens, absl::Duration deadline);

}  // namespace backoffice::users
