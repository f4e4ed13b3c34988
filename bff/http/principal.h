#pragma once

#include <string>
#include <vector>

namespace backoffice::bff::http {

/// Who sent a request, as an Authenticator proved it. The BFF core only reads `subject` (rate
/// limits per user), `permissions` (the default ClaimAuthorizer) and `authorization` (forwarded
/// to services); authentication code fills the rest as it needs.
struct Principal {
  /// The token's `sub`.
  std::string subject;
  /// The users-service session (`sid`), empty for other issuers.
  std::string session_id;
  /// The token's issuer.
  std::string issuer;
  /// Role names from the token.
  std::vector<std::string> roles;
  /// Permission names an external issuer's token claims ("users:read", or "*" for every
  /// permission). Empty for users-service accounts, whose permissions the roles service holds.
  std::vector<std::string> permissions;
  /// The value forwarded to services in gRPC metadata `authorization` ("Bearer <jwt>"), also when
  /// the browser authenticated with a cookie.
  std::string authorization;
};

}  // namespace backoffice::bff::http
