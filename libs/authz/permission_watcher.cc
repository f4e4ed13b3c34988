#include "libs/authz/permission_watcher.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/log/log.h"
#include "proto/roles/v1/roles.grpc.pb.h"

namespace backoffice::authz {

absl::StatusOr<TokenSource> RolesServiceTokens(const ServiceKey& key) {
  return ServiceTokens(key, "backoffice-roles");
}

PermissionWatcher::PermissionWatcher(std::shared_ptr<grpc::Channel> roles, TokenSource token,
                                     CacheInvalidation& cache, PermissionWatcherOptions options)
    : ChangeWatcher("permission",
                    OpenStream<roles::v1::RolesService>(
                        std::move(roles), &roles::v1::RolesService::Stub::WatchPermissionChanges),
                    std::move(token), cache, options) {}

absl::StatusOr<std::unique_ptr<PermissionWatcher>> PermissionWatcher::StartWithServiceKey(
    std::shared_ptr<grpc::Channel> roles, CacheInvalidation& cache, const ServiceKey& key) {
  if (key.file.empty()) {
    log::Warn(absl::StrCat("no ", key.flag,
                           ": permissions are not cached; each check asks the roles service"));
    return std::unique_ptr<PermissionWatcher>();
  }
  absl::StatusOr<TokenSource> tokens = RolesServiceTokens(key);
  if (!tokens.ok()) return tokens.status();
  auto watcher = std::make_unique<PermissionWatcher>(std::move(roles), *std::move(tokens), cache);
  watcher->Start();
  return watcher;
}

}  // namespace backoffice::authz
