#include "libs/authz/permission_watcher.h"

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/auth/service_token.h"
#include "libs/log/log.h"
#include "proto/roles/v1/roles.grpc.pb.h"

namespace backoffice::authz {

PermissionWatcher::PermissionWatcher(std::shared_ptr<grpc::Channel> roles, TokenSource token,
                                     CacheInvalidation& cache, PermissionWatcherOptions options)
    : roles_(std::move(roles)), token_(std::move(token)), cache_(cache), options_(options) {}

absl::StatusOr<std::function<absl::StatusOr<std::string>()>> RolesServiceTokens(
    const ServiceKey& key) {
  absl::StatusOr<jwt::PrivateKey> loaded = auth::LoadPrivateKeyFile(key.file, key.kid, key.flag);
  if (!loaded.ok()) return loaded.status();
  auto tokens = std::make_shared<auth::ServiceTokenSource>(
      *std::move(loaded),
      auth::ServiceTokenOptions{.service = key.service, .audience = "backoffice-roles"});
  return std::function<absl::StatusOr<std::string>()>(
      [tokens] { return tokens->Token(absl::Now()); });
}

PermissionWatcher::~PermissionWatcher() { Stop(); }

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

void PermissionWatcher::Start() {
  SetLive(false);
  thread_ = std::thread([this] { Run(); });
}

void PermissionWatcher::Stop() {
  {
    absl::MutexLock lock(&mutex_);
    if (stopping_.HasBeenNotified()) return;
    stopping_.Notify();
    if (current_ != nullptr) current_->TryCancel();
  }
  if (thread_.joinable()) thread_.join();
}

void PermissionWatcher::SetLive(bool live) {
  // Either way everything cached so far is dropped: entering live, answers loaded before the
  // stream could have missed a change; leaving it, changes may be missed from now on.
  cache_.SetEnabled(live);
  live_.store(live);
}

void PermissionWatcher::Run() {
  absl::Duration delay = options_.reconnect_delay;
  while (!stopping_.HasBeenNotified()) {
    if (WatchOnce()) delay = options_.reconnect_delay;  // it had worked: start the backoff over
    SetLive(false);
    if (stopping_.WaitForNotificationWithTimeout(delay)) return;
    delay = std::min(delay * 2, options_.max_reconnect_delay);
  }
}

bool PermissionWatcher::WatchOnce() {
  absl::StatusOr<std::string> token = token_();
  if (!token.ok()) {
    log::Warn("permission watch: no service token", {{"error", token.status().ToString()}});
    return false;
  }
  grpc::ClientContext context;
  context.AddMetadata("authorization", absl::StrCat("Bearer ", *token));
  {
    absl::MutexLock lock(&mutex_);
    if (stopping_.HasBeenNotified()) return false;
    current_ = &context;
  }
  auto stub = roles::v1::RolesService::NewStub(roles_);
  std::unique_ptr<grpc::ClientReader<roles::v1::PermissionChange>> reader =
      stub->WatchPermissionChanges(&context, roles::v1::WatchPermissionChangesRequest());
  streams_.fetch_add(1);
  bool was_live = false;
  roles::v1::PermissionChange change;
  while (reader->Read(&change)) {
    changes_.fetch_add(1);
    switch (change.kind()) {
      case roles::v1::PermissionChange::KIND_LIVE:
        SetLive(true);
        was_live = true;
        break;
      case roles::v1::PermissionChange::KIND_USER:
        cache_.Invalidate(change.user_id());
        break;
      case roles::v1::PermissionChange::KIND_PAUSED:
        SetLive(false);
        break;
      default:  // KIND_ALL, and anything newer than this client: drop everything
        cache_.InvalidateAll();
        break;
    }
  }
  SetLive(false);
  grpc::Status status = reader->Finish();
  {
    absl::MutexLock lock(&mutex_);
    current_ = nullptr;
  }
  if (!stopping_.HasBeenNotified()) {
    log::Warn("permission watch ended; caching paused until it is back",
              {{"code", static_cast<int>(status.error_code())}, {"error", status.error_message()}});
  }
  return was_live;
}

}  // namespace backoffice::authz
