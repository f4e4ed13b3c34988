#include "bff/app/routes.h"

namespace backoffice::bff::app {

absl::Status AddRoutes(http::Router& router, const Downstreams& downstreams) {
  // The domain routes (users, auth, me) land here in their own files; see docs/bff.md.
  return absl::OkStatus();
}

}  // namespace backoffice::bff::app
