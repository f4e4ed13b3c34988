// JSON for the roles REST API (permissions catalog, roles, grants) and the mapping of its list
// queries onto the roles service's calls. Member names are lowerCamelCase; every record has `id`.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "bff/http/json_body.h"
#include "bff/http/list_query.h"
#include "proto/roles/v1/roles.pb.h"
#include "proto/users/v1/users.pb.h"

namespace backoffice::bff::app {

/// A catalog entry: id (= name), name, service, description, createTime, updateTime.
boost::json::object PermissionToJson(const roles::v1::Permission& permission);

/// A role: id, name, displayName, description, system, permissions, parentRoleIds, memberCount,
/// createTime, updateTime, etag.
boost::json::object RoleToJson(const roles::v1::Role& role);

/// A grant: id, userId, roleId, grantedBy, reason, createTime, expireTime, expired.
boost::json::object GrantToJson(const roles::v1::RoleGrant& grant);

/// A member of a role: the grant plus the user's email and displayName from the users service,
/// both null when `user` is nullptr (unknown id, or the join failed).
boost::json::object MemberToJson(const roles::v1::RoleGrant& grant, const users::v1::User* user);

/// One of a user's roles: id (the grant's), userId, roleId, name, displayName, system,
/// grantedBy, reason, createTime, expireTime, expired.
boost::json::object UserRoleToJson(const roles::v1::UserRole& held);

// ---- Writes -------------------------------------------------------------------------------------

/// The body of POST /api/roles: `name` required; displayName, description, permissions,
/// parentRoleIds; read-only members (id, system, memberCount, times, etag, version) accepted and
/// ignored, as react-admin sends them.
const std::vector<http::FieldSpec>& RoleCreateSchema();

/// The body of PUT and PATCH /api/roles/{id}: every member optional, writable ones nullable.
const std::vector<http::FieldSpec>& RoleUpdateSchema();

/// Copies the writable members present in `body` into `role` (null clears) and returns their
/// field-mask paths (name, display_name, description, permissions, parent_role_ids).
std::vector<std::string> FillRole(const boost::json::object& body, roles::v1::Role& role);

/// The body of POST /api/users/{id}/roles: `roleId` required; `expireTime` (RFC 3339) and
/// `reason` optional (null = unset); `userId`, when sent, must equal the URL's.
const std::vector<http::FieldSpec>& GrantSchema();

/// Fills a GrantRoleRequest from a body that passed GrantSchema. INVALID_ARGUMENT naming the
/// member for a bad `expireTime` or a `userId` that differs from `user_id`.
absl::Status FillGrant(const boost::json::object& body, const std::string& user_id,
                       roles::v1::GrantRoleRequest& out);

// ---- Lists --------------------------------------------------------------------------------------

/// GET /api/permissions: sort by `name` (or `id`, the same) ascending only; filters `service`
/// (exact) and `q` (substring of name or description); pages of at most 500; offsets only within
/// the first 500 entries (then `cursor`).
const http::ListQuerySpec& PermissionsListSpec();
absl::Status ApplyPermissionsQuery(const http::ListQuery& query,
                                   roles::v1::ListPermissionsRequest& out);

/// GET /api/roles: sort by `name` (asc or desc); filters `id` (repeated), `permission` (held
/// directly), `system` (true/false) and `q`; pages of at most 500, offsets up to 10,000.
const http::ListQuerySpec& RolesListSpec();
absl::Status ApplyRolesQuery(const http::ListQuery& query, roles::v1::ListRolesRequest& out);

/// GET /api/roles/{id}/members: sort by `createTime` (or `id`; default newest first); filters
/// `includeInherited` and `includeExpired` (true/false); pages of at most 500, offsets up to
/// 10,000.
const http::ListQuerySpec& MembersListSpec();
absl::Status ApplyMembersQuery(const http::ListQuery& query,
                               roles::v1::ListRoleMembersRequest& out);

/// GET /api/users/{id}/roles: at most 100 grants, so sorted and sliced here. Sort by `name`
/// (default), `id`, `createTime` or `expireTime` (one key); filter `includeExpired`
/// (true/false) and `userId` (what react-admin's getManyReference sends for
/// `<ReferenceManyField reference="users/{id}/roles" target="userId">`); offset paging only.
const http::ListQuerySpec& UserRolesListSpec();

/// The filters of a user-roles query.
struct UserRolesFilter {
  /// Expired grants too.
  bool include_expired = false;
  /// A `userId` filter named another user than the path's: no grant matches.
  bool matches_none = false;
};

/// The filters of the user-roles query of the user `path_user_id`; INVALID_ARGUMENT naming the
/// parameter for a bad value.
absl::StatusOr<UserRolesFilter> UserRolesFilterOf(const http::ListQuery& query,
                                                  std::string_view path_user_id);

/// The page of a user's roles the query asks for (sorted, then sliced), as JSON rows; the total
/// is `held.size()`. INVALID_ARGUMENT for a cursor or more than one sort key.
absl::StatusOr<boost::json::array> UserRolesPage(const http::ListQuery& query,
                                                 std::vector<roles::v1::UserRole> held);

}  // namespace backoffice::bff::app
