#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace backoffice::auth {

/// Who is calling, as proven by a verified access token. Services record `id` as the actor of
/// every change they make.
struct Caller {
  /// kUser: a user of the users service. kService: a service account. kExternal: a principal of
  /// an external OpenID Connect issuer (--oidc_issuer); it has no account in the users service
  /// and no grants in the roles service: its permissions are its token's `permissions` claim
  /// (libs/authz/caller_permissions.h). Code that checks for kUser leaves it out on purpose.
  enum class Kind { kUser, kService, kExternal };

  Kind kind = Kind::kUser;
  /// The principal's id, unique across issuers: the token's `sub` (a user id, or
  /// "service:<name>" for a service account); for an external principal "<iss>#<sub>"
  /// (ExternalPrincipalId), so that neither two issuers nor an issuer and the users service can
  /// name the same principal.
  std::string id;
  /// The users service session the token belongs to (`sid`); empty for service accounts and
  /// external principals.
  std::string session_id;
  /// The token's `jti`.
  std::string token_id;
  /// The token's issuer.
  std::string issuer;
  /// Role names carried by the token, if its issuer puts them there.
  std::vector<std::string> roles;
  /// External principals only: the string entries of the token's `permissions` claim (an array);
  /// empty for the others, whose permissions come from the roles service.
  std::vector<std::string> permissions;
  absl::Time expires_at = absl::InfinitePast();
  /// The `authorization` value the caller was proven by ("Bearer <jwt>"), to forward on calls
  /// made on the caller's behalf (e.g. asking the roles service for the caller's permissions).
  std::string authorization;

  /// "user" or "service", as outbox events and audit records name actor types (an external
  /// principal is a "user" whose id names its issuer).
  const char* KindName() const { return kind == Kind::kService ? "service" : "user"; }
};

/// The `sub` prefix that marks a service account.
inline constexpr char kServiceSubjectPrefix[] = "service:";

/// Separates issuer and subject in an external principal's id. An OpenID Connect issuer is a URL
/// without a fragment (OpenID Connect Discovery 1.0, section 3), so it holds no '#' and the id
/// splits unambiguously at the first one.
inline constexpr char kExternalIdSeparator = '#';

/// The longest principal id: what audit records (common.v1.Actor.id) and outbox rows carry.
inline constexpr size_t kMaxPrincipalIdBytes = 128;

/// "<issuer>#<subject>".
inline std::string ExternalPrincipalId(const std::string& issuer, const std::string& subject) {
  return issuer + kExternalIdSeparator + subject;
}

}  // namespace backoffice::auth
