// Keeps a caller's permission cache exact: a ChangeWatcher on RolesService.WatchPermissionChanges
// applies each change to the cache (one user, everyone); the cache is enabled only while the
// stream is live.
//
//   InvalidatingCache<UserPermissions> cache({.max_age = absl::Seconds(30), .enabled = false});
//   PermissionWatcher watcher(roles_channel, [&] { return tokens.Token(absl::Now()); }, cache);
//   watcher.Start();   // its own thread; the destructor stops it
//
// The stream authenticates once, with a service-account token (aud backoffice-roles).
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "libs/authz/change_watcher.h"
#include "libs/authz/invalidating_cache.h"
#include "libs/authz/service_key.h"

namespace backoffice::authz {

using PermissionWatcherOptions = ChangeWatcherOptions;

/// Service tokens for calling the roles service as `key.service` (aud backoffice-roles).
absl::StatusOr<TokenSource> RolesServiceTokens(const ServiceKey& key);

/// Owns its thread.
class PermissionWatcher final : public ChangeWatcher {
 public:
  using TokenSource = authz::TokenSource;

  /// Loads `key`, signs service tokens (aud backoffice-roles) with it and starts a watcher over
  /// `roles` for `cache`. nullptr (and a warning) when `key.file` is empty: the cache then stays
  /// disabled and every answer is asked of the roles service.
  static absl::StatusOr<std::unique_ptr<PermissionWatcher>> StartWithServiceKey(
      std::shared_ptr<grpc::Channel> roles, CacheInvalidation& cache, const ServiceKey& key);

  /// `cache` must outlive the watcher.
  PermissionWatcher(std::shared_ptr<grpc::Channel> roles, TokenSource token,
                    CacheInvalidation& cache, PermissionWatcherOptions options = {});
};

}  // namespace backoffice::authz
