// Keeps a caller's permission cache exact: a thread holds a RolesService.WatchPermissionChanges
// stream and applies each change to the cache (one user, everyone). The cache is enabled only
// while the stream is live; when it breaks, the cache is disabled (every answer is asked again)
// until the stream is back and says LIVE.
//
//   InvalidatingCache<UserPermissions> cache({.max_age = absl::Seconds(30), .enabled = false});
//   PermissionWatcher watcher(roles_channel, [&] { return tokens.Token(absl::Now()); }, cache);
//   watcher.Start();   // its own thread; the destructor stops it
//
// The stream authenticates once, with a service-account token (aud backoffice-roles).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "libs/authz/invalidating_cache.h"

namespace grpc {
class Channel;
class ClientContext;
}  // namespace grpc

namespace backoffice::authz {

/// Reconnection timing.
struct PermissionWatcherOptions {
  absl::Duration reconnect_delay = absl::Milliseconds(200);
  absl::Duration max_reconnect_delay = absl::Seconds(5);
};

/// The service key a watcher authenticates with.
struct ServiceKey {
  /// PEM private key file (the setting `flag` names); empty: no key, no watcher.
  std::string file;
  std::string kid;
  /// The service's name: the token's subject is "service:<service>".
  std::string service;
  std::string flag = "--service_key_file";
};

/// Service tokens for calling the roles service as `key.service` (aud backoffice-roles), signed
/// with the key file. INVALID_ARGUMENT naming `key.flag` when the file is missing or unusable.
absl::StatusOr<std::function<absl::StatusOr<std::string>()>> RolesServiceTokens(
    const ServiceKey& key);

/// Owns its thread.
class PermissionWatcher final {
 public:
  /// Loads `key`, signs service tokens (aud backoffice-roles) with it and starts a watcher over
  /// `roles` for `cache`. nullptr (and a warning) when `key.file` is empty: the cache then stays
  /// disabled and every answer is asked of the roles service.
  static absl::StatusOr<std::unique_ptr<PermissionWatcher>> StartWithServiceKey(
      std::shared_ptr<grpc::Channel> roles, CacheInvalidation& cache, const ServiceKey& key);

  /// Returns the `authorization`-ready token (without "Bearer ") for each new stream.
  using TokenSource = std::function<absl::StatusOr<std::string>()>;

  /// `cache` must outlive the watcher.
  PermissionWatcher(std::shared_ptr<grpc::Channel> roles, TokenSource token,
                    CacheInvalidation& cache, PermissionWatcherOptions options = {});
  ~PermissionWatcher();
  PermissionWatcher(const PermissionWatcher&) = delete;
  PermissionWatcher& operator=(const PermissionWatcher&) = delete;

  void Start();
  /// Cancels the stream and joins the thread (idempotent).
  void Stop();

  /// True while the stream is live (the cache may be used).
  bool live() const { return live_.load(); }
  /// Changes applied and streams opened so far.
  uint64_t changes() const { return changes_.load(); }
  uint64_t streams() const { return streams_.load(); }

 private:
  void Run();
  // One stream until it ends; true if it had been live.
  bool WatchOnce();
  void SetLive(bool live);

  const std::shared_ptr<grpc::Channel> roles_;
  const TokenSource token_;
  CacheInvalidation& cache_;
  const PermissionWatcherOptions options_;
  absl::Notification stopping_;
  absl::Mutex mutex_;
  grpc::ClientContext* current_ ABSL_GUARDED_BY(mutex_) = nullptr;
  std::atomic<bool> live_{false};
  std::atomic<uint64_t> changes_{0};
  std::atomic<uint64_t> streams_{0};
  std::thread thread_;
};

}  // namespace backoffice::authz
