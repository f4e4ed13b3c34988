#pragma once

#include "absl/status/status.h"
#include "bff/app/roles_api.h"
#include "bff/app/users_api.h"
#include "bff/http/router.h"

namespace backoffice::bff::app {

/// The roles REST API (docs/bff.md, "Routes"): the permissions catalog (/api/permissions), roles
/// (/api/roles: list in every dialect, get, create, PUT/PATCH with If-Match or etag, delete with
/// `force`), a role's members joined with their users (/api/roles/{id}/members), and a user's
/// grants (/api/users/{id}/roles: list, grant, revoke). `users` serves the members' emails
/// (BatchGetUsers).
absl::Status AddRoleRoutes(http::Router& router, const RolesApi& roles, const UsersApi& users);

}  // namespace backoffice::bff::app
