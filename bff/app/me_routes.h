#pragma once

#include "absl/status/status.h"
#include "bff/app/permissions.h"
#include "bff/app/users_api.h"
#include "bff/http/router.h"

namespace backoffice::bff::app {

/// GET /api/me: the caller, fanned out to every service that knows about them. `permissions`
/// must outlive the routes.
absl::Status AddMeRoutes(http::Router& router, const UsersApi& users,
                         RolesPermissions& permissions);

}  // namespace backoffice::bff::app
