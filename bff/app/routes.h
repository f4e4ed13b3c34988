#pragma once

#include "absl/status/status.h"
#include "bff/app/downstreams.h"
#include "bff/http/router.h"

namespace backoffice::bff::app {

/// Declares every /api route of the BFF. Domain route files (users, auth, me, ...) each add a
/// `absl::Status Add<Area>Routes(http::Router&, const Downstreams&)` and are called from here, so
/// main.cc stays wiring only. The ops endpoints (/metrics, /healthz, /readyz) and the static SPA
/// are the gateway's own and are not declared here.
absl::Status AddRoutes(http::Router& router, const Downstreams& downstreams);

}  // namespace backoffice::bff::app
