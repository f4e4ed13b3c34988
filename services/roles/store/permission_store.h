// The permissions catalog (schema `roles`, table `permissions`).
//
//   PermissionStore catalog(pool);
//   absl::StatusOr<RegisterResult> r = catalog.Register("audit", {{.name = "audit:read"}}, actor);
//   absl::StatusOr<PermissionPage> page = catalog.List({.query = "users"});
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/pg/pool.h"
#include "services/roles/store/rbac_types.h"

namespace backoffice::roles {

/// ListPermissions input.
struct ListPermissionsRequest {
  /// Only permissions registered by this service; empty for all.
  std::string service;
  /// Case-insensitive substring of name or description, at most 200 characters.
  std::string query;
  int page_size = 0;
  std::string page_token;
};

/// A page of the catalog, in name order.
struct PermissionPage {
  std::vector<Permission> permissions;
  std::string next_page_token;
  /// Exact (the catalog is small).
  int64_t total_size = 0;
};

/// What Register changed.
struct RegisterResult {
  int created = 0;
  int updated = 0;
  int unchanged = 0;
};

/// Thread-safe (each call leases its own connection).
class PermissionStore final {
 public:
  explicit PermissionStore(pg::Pool& pool) : pool_(pool) {}

  /// One page (default 100, max 500). INVALID_ARGUMENT: `query` too long, `page.page_size`,
  /// `page.page_token`.
  absl::StatusOr<PermissionPage> List(const ListPermissionsRequest& request);

  /// Adds new names and updates changed descriptions (`service` recorded as registered_by for new
  /// ones); identical entries change nothing. Every new permission also joins the `admin` role
  /// (event role.permission_added, notification "all"), so admin always holds the whole catalog.
  /// INVALID_ARGUMENT: `service` not `[a-z][a-z0-9_]*` (<= 64 bytes), no or more than 500
  /// permissions, a malformed name (`permissions[i].name`), a duplicate, a description over 500
  /// characters (`permissions[i].description`).
  absl::StatusOr<RegisterResult> Register(const std::string& service,
                                          const std::vector<Permission>& permissions,
                                          const Actor& actor);

 private:
  pg::Pool& pool_;
};

/// `%text%` with LIKE's special characters escaped, for ILIKE.
std::string ContainsPattern(std::string_view text);

}  // namespace backoffice::roles
