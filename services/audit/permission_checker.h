// Does the caller hold a permission? The audit service keeps no grants of its own: it asks the
// roles service for the caller's effective permissions, with the caller's own token forwarded,
// through libs/authz's RolesPermissionsClient (cached per caller while a PermissionWatcher keeps
// the cache exact, i.e. when the service has a service key).
//
//   std::unique_ptr<PermissionChecker> checker = MakeRolesPermissionChecker(permissions_client);
//   if (absl::Status s = checker->Require(call, "audit:read"); !s.ok()) return s;
#pragma once

#include <memory>
#include <string_view>

#include "absl/status/status.h"
#include "libs/authz/roles_permissions_client.h"
#include "services/audit/call_guard.h"

namespace backoffice::audit {

inline constexpr char kPermAuditRead[] = "audit:read";
inline constexpr char kPermAuditExport[] = "audit:export";

/// Thread-safe.
class PermissionChecker {
 public:
  virtual ~PermissionChecker() = default;

  /// OK when the caller holds `permission`; PERMISSION_DENIED (reason MISSING_PERMISSION) when
  /// not; UNAVAILABLE when the answer cannot be had.
  virtual absl::Status Require(const CallScope& call, std::string_view permission) = 0;
};

using PermissionCheckerPtr = std::unique_ptr<PermissionChecker>;

/// Over `permissions` (which must outlive the checker). Service accounts hold no grants, so they
/// are refused without a call; a token the roles service refuses is UNAUTHENTICATED, any other
/// failure UNAVAILABLE (closed, never open).
PermissionCheckerPtr MakeRolesPermissionChecker(authz::RolesPermissionsClient& permissions);

}  // namespace backoffice::audit
