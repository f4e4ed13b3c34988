#pragma once

#include <cstddef>

#include "absl/status/status.h"
#include "bff/app/audit_api.h"
#include "bff/http/router.h"

namespace backoffice::bff::app {

/// The audit REST API (docs/bff.md, "Routes"): events in every list dialect (/api/audit), one
/// event by id or sequence (/api/audit/{id}), a CSV or NDJSON download (/api/audit/export, at most
/// `max_export_bytes`: the BFF core answers whole bodies), chain verification
/// (/api/audit/verify, GET with query parameters or POST with a JSON body) and the signed head
/// (/api/audit/checkpoint). The audit service checks audit:read / audit:export itself too.
absl::Status AddAuditRoutes(http::Router& router, const AuditApi& audit, size_t max_export_bytes);

}  // namespace backoffice::bff::app
