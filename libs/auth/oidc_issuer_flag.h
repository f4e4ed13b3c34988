// The `--oidc_issuer` flag, defined once for every binary that links this library (the BFF and
// the services), so that they all read it the same way.
//
//   int main(int argc, char** argv) {
//     ParseCommandLine(argc, argv, ...);
//     absl::StatusOr<std::vector<OidcIssuer>> issuers = OidcIssuersFromFlags(argc, argv);
//   }
#pragma once

#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "libs/auth/oidc_issuer.h"

ABSL_DECLARE_FLAG(std::vector<std::string>, oidc_issuer);

namespace backoffice::auth {

/// The external issuers configured by `--oidc_issuer=issuer|jwks_url|audience`: every occurrence
/// on the command line `argc`/`argv` (the flag repeats), or, when it is not on the command line,
/// the flag's parsed value (BACKOFFICE_OIDC_ISSUER, comma-separated). Call after the command line
/// was parsed. INVALID_ARGUMENT naming the first malformed value.
absl::StatusOr<std::vector<OidcIssuer>> OidcIssuersFromFlags(int argc, char** argv);

/// The same from values already collected (the BFF collects them before parsing).
absl::StatusOr<std::vector<OidcIssuer>> OidcIssuersFromValues(std::vector<std::string> values);

}  // namespace backoffice::auth
