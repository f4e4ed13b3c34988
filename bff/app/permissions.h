// Authorization of BFF routes by the roles service: what a signed-in user of the users service
// may do is their effective permissions (RolesService.GetEffectivePermissions, asked with the
// user's own token), cached per user until the roles service says it changed
// (authz::PermissionWatcher on WatchPermissionChanges; without a watch the cache stays off and
// every authorized request asks). Principals of external OIDC issuers have no grants here: their
// token's `permissions` claim decides (http::ClaimAuthorizer).
//
//   RolesPermissions permissions({.roles = downstreams.roles.get(), .users_issuer = "..."});
//   RolesAuthorizer authorizer(permissions);        // the gateway's Authorizer
//   auto mine = co_await permissions.Of(request);    // /api/me
#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bff/downstream/service_client.h"
#include "bff/downstream/stub_set.h"
#include "bff/http/auth_hooks.h"
#include "bff/http/http_request.h"
#include "libs/authz/invalidating_cache.h"
#include "libs/authz/user_permissions.h"
#include "proto/roles/v1/roles.grpc.pb.h"

namespace backoffice::bff::app {

using authz::UserPermissions;
using PermissionsCache = authz::InvalidatingCache<UserPermissions>;

/// A user's direct grants as RolesService.ListUserRoles answers them (its first page), for
/// /api/me. Kept exact by the same watch as the permissions: a grant or revoke notifies the user,
/// a role's change (its labels included) everyone.
struct HeldRoles {
  roles::v1::ListUserRolesResponse answer;
  /// The earliest expiry among the grants listed: the answer lists an expired grant after it.
  std::optional<absl::Time> valid_until;
};
using HeldRolesCache = authz::InvalidatingCache<HeldRoles>;

struct RolesPermissionsOptions {
  downstream::ServiceClient* roles = nullptr;
  /// `iss` of the users service's tokens: only their subjects have grants.
  std::string users_issuer;
  /// Most users cached, and the longest an answer is used (a safety net; changes arrive by the
  /// watch much sooner).
  authz::CacheOptions cache = {.max_entries = 100'000,
                               .max_age = absl::Seconds(30),
                               .enabled = false,
                               .settle = absl::Seconds(1)};
};

/// Thread-safe; lives as long as the routes.
class RolesPermissions {
 public:
  explicit RolesPermissions(RolesPermissionsOptions options);

  /// The request principal's permissions, from the cache or the roles service (503/504 statuses
  /// pass through); a user without grants has an empty answer. FAILED_PRECONDITION, without a
  /// call, for principals of other issuers.
  boost::asio::awaitable<absl::StatusOr<std::shared_ptr<const UserPermissions>>> Of(
      const http::HttpRequest& request);

  /// The request principal's direct grants, from the cache or the roles service; as Of for
  /// errors and for principals of other issuers.
  boost::asio::awaitable<absl::StatusOr<std::shared_ptr<const HeldRoles>>> RolesOf(
      const http::HttpRequest& request);

  /// Whether the principal's permissions come from the roles service (else from the token).
  bool Governs(const http::Principal& principal) const;

  /// The permissions cache, for metrics.
  PermissionsCache& cache() { return cache_; }
  /// The direct-grants cache, for metrics.
  const HeldRolesCache& held_roles_cache() const { return held_roles_; }
  /// Both caches, for the watcher that keeps them exact.
  authz::CacheInvalidation& invalidation() { return invalidation_; }

 private:
  downstream::ServiceClient& roles_;
  downstream::StubSet<roles::v1::RolesService> stubs_;
  const std::string users_issuer_;
  PermissionsCache cache_;
  HeldRolesCache held_roles_;
  authz::CacheInvalidations invalidation_{{&cache_, &held_roles_}};
};

/// The gateway's Authorizer: the route's permission must be among the principal's; 403 naming it
/// otherwise.
class RolesAuthorizer final : public http::Authorizer {
 public:
  explicit RolesAuthorizer(RolesPermissions& permissions) : permissions_(permissions) {}

  boost::asio::awaitable<absl::Status> Authorize(const http::HttpRequest& request,
                                                 std::string_view permission) override;

 private:
  RolesPermissions& permissions_;
  http::ClaimAuthorizer claims_;
};

}  // namespace backoffice::bff::app
