#pragma once

#include <cstddef>

#include "absl/status/status.h"
#include "bff/app/downstreams.h"
#include "bff/app/permissions.h"
#include "bff/app/users_cache.h"
#include "bff/http/router.h"

namespace backoffice::bff::app {

/// Limits the routes need from the flags.
struct RouteOptions {
  /// Body limit of POST /api/users/import.
  size_t max_import_bytes = 11 << 20;
  /// The largest file GET /api/users/export and GET /api/audit/export collect before answering.
  size_t max_export_bytes = 64 << 20;
};

/// Declares every /api route of the BFF. Domain route files (users, auth, me, ...) each add a
/// `absl::Status Add<Area>Routes(http::Router&, ...)` and are called from here, so main.cc stays
/// wiring only. The ops endpoints (/metrics, /healthz, /readyz) and the static SPA are the
/// gateway's own and are not declared here.
/// `permissions` and `users_cache` (null: users records are not cached) must outlive the routes.
absl::Status AddRoutes(http::Router& router, const Downstreams& downstreams,
                       RolesPermissions& permissions, UsersCache* users_cache,
                       const RouteOptions& options = {});

}  // namespace backoffice::bff::app
