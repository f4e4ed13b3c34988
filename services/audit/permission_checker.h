// Does the caller hold a permission? The audit service keeps no grants of its own: it asks the
// roles service (CheckPermission for the caller, with the caller's own token forwarded).
//
//   std::unique_ptr<PermissionChecker> checker = MakeGrpcPermissionChecker(roles_channel);
//   if (absl::Status s = checker->Require(call, "audit:read"); !s.ok()) return s;
#pragma once

#include <memory>
#include <string_view>

#include "absl/status/status.h"
#include "services/audit/call_guard.h"

namespace grpc {
class Channel;
}

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

/// RolesService.CheckPermission with a 5 s deadline, forwarding `authorization`, `x-request-id`.
/// Service accounts hold no grants, so they are refused without a call.
PermissionCheckerPtr MakeGrpcPermissionChecker(std::shared_ptr<grpc::Channel> roles_channel);

}  // namespace backoffice::audit
