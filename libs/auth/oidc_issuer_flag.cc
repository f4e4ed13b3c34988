#include "libs/auth/oidc_issuer_flag.h"

#include <utility>

#include "absl/flags/flag.h"

ABSL_FLAG(std::vector<std::string>, oidc_issuer, {},
          "an external OpenID Connect issuer as issuer|jwks_url|audience; repeat the flag for "
          "several (BACKOFFICE_OIDC_ISSUER: comma-separated)");

namespace backoffice::auth {

absl::StatusOr<std::vector<OidcIssuer>> OidcIssuersFromValues(std::vector<std::string> values) {
  if (values.empty()) {
    values = absl::GetFlag(FLAGS_oidc_issuer);
  }
  std::vector<OidcIssuer> issuers;
  for (const std::string& value : values) {
    absl::StatusOr<OidcIssuer> issuer = ParseOidcIssuer(value);
    if (!issuer.ok()) return issuer.status();
    issuers.push_back(*std::move(issuer));
  }
  return issuers;
}

absl::StatusOr<std::vector<OidcIssuer>> OidcIssuersFromFlags(int argc, char** argv) {
  return OidcIssuersFromValues(RepeatedFlagValues(argc, argv, "oidc_issuer"));
}

}  // namespace backoffice::auth
