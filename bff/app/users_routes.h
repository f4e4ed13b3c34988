#pragma once

#include "absl/status/status.h"
#include "bff/app/users_api.h"
#include "bff/http/router.h"

namespace backoffice::bff::app {

/// The users REST API under /api/users (docs/bff.md, "Routes"): list (every list dialect), get,
/// create (Idempotency-Key), PUT/PATCH (field mask from the JSON keys, If-Match or etag/version),
/// delete, sessions, lockout and password reset.
absl::Status AddUserRoutes(http::Router& router, const UsersApi& users);

/// CSV import and export: POST /api/users/import (text/csv) and GET /api/users/export.
/// `max_export_bytes` bounds the collected CSV (the BFF core answers whole bodies).
absl::Status AddUserBulkRoutes(http::Router& router, const UsersApi& users, size_t max_import_bytes,
                               size_t max_export_bytes);

}  // namespace backoffice::bff::app
