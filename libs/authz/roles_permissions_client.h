// A service's synchronous view of the roles service's answers: a user's effective permissions,
// asked with the user's own token (GetEffectivePermissions for oneself needs no permission),
// cached per user while a PermissionWatcher keeps the cache exact.
//
//   RolesPermissionsClient permissions(roles_channel, {.max_age = absl::Seconds(30),
//                                                      .enabled = false});
//   PermissionWatcher watcher(roles_channel, token_source, permissions.cache());  // optional
//   absl::StatusOr<RolesPermissionsClient::Entry> mine =
//       permissions.Of(caller.id, caller.authorization);
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/authz/invalidating_cache.h"
#include "libs/authz/user_permissions.h"
#include "proto/roles/v1/roles.grpc.pb.h"

namespace grpc {
class Channel;
}

namespace backoffice::authz {

/// Thread-safe.
class RolesPermissionsClient {
 public:
  using Cache = InvalidatingCache<UserPermissions>;
  using Entry = Cache::Entry;

  RolesPermissionsClient(std::shared_ptr<grpc::Channel> roles, CacheOptions cache,
                         absl::Duration deadline = absl::Seconds(2));

  /// `user_id`'s permissions, cached or asked with `authorization` (the user's "Bearer <jwt>").
  /// The roles service's status on failure (UNAVAILABLE, DEADLINE_EXCEEDED, ...): callers refuse.
  absl::StatusOr<Entry> Of(std::string_view user_id, std::string_view authorization);

  Cache& cache() { return cache_; }

 private:
  std::unique_ptr<roles::v1::RolesService::Stub> stub_;
  const absl::Duration deadline_;
  Cache cache_;
};

}  // namespace backoffice::authz
