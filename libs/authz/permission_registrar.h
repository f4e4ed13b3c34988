// Registers a service's permissions with the roles service at start (RegisterPermissions,
// idempotent), so the catalog always lists what the running services check. Runs in the
// background: the service starts at once, and the registrar retries with backoff until the roles
// service accepts (it may start later), then logs the counts and ends.
//
//   PermissionRegistrar registrar(roles_channel, token_source, "users", kUsersPermissions);
//   registrar.Start();   // the destructor stops it
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "libs/authz/permission_watcher.h"

namespace grpc {
class Channel;
}

namespace backoffice::authz {

/// One permission a service checks.
struct PermissionSpec {
  std::string name;
  std::string description;
};

/// Owns its thread.
class PermissionRegistrar final {
 public:
  PermissionRegistrar(std::shared_ptr<grpc::Channel> roles, PermissionWatcher::TokenSource token,
                      std::string service, std::vector<PermissionSpec> permissions,
                      absl::Duration max_retry_delay = absl::Seconds(30));
  ~PermissionRegistrar();
  PermissionRegistrar(const PermissionRegistrar&) = delete;
  PermissionRegistrar& operator=(const PermissionRegistrar&) = delete;

  void Start();
  /// Stops retrying and joins (idempotent).
  void Stop();
  /// True once the roles service accepted the registration.
  bool registered() const { return registered_.load(); }

 private:
  void Run();
  // One attempt; OK when accepted.
  absl::Status RegisterOnce();

  const std::shared_ptr<grpc::Channel> roles_;
  const PermissionWatcher::TokenSource token_;
  const std::string service_;
  const std::vector<PermissionSpec> permissions_;
  const absl::Duration max_retry_delay_;
  absl::Notification stopping_;
  std::atomic<bool> registered_{false};
  std::thread thread_;
};

}  // namespace backoffice::authz
