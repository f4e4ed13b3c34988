#pragma once

#include <string>
#include <vector>

#include "absl/time/time.h"

namespace backoffice::auth {

/// Who is calling, as proven by a verified access token. Services record `id` as the actor of
/// every change they make.
struct Caller {
  enum class Kind { kUser, kService };

  Kind kind = Kind::kUser;
  /// The token's `sub`: a user id, or "service:<name>" for a service account.
  std::string id;
  /// The users service session the token belongs to (`sid`); empty for service accounts.
  std::string session_id;
  /// The token's `jti`.
  std::string token_id;
  /// The token's issuer.
  std::string issuer;
  /// Role names carried by the token, if its issuer puts them there.
  std::vector<std::string> roles;
  absl::Time expires_at = absl::InfinitePast();
  /// The `authorization` value the caller was proven by ("Bearer <jwt>"), to forward on calls
  /// made on the caller's behalf (e.g. asking the roles service for the caller's permissions).
  std::string authorization;

  /// "user" or "service", as outbox events and audit records name actor types.
  const char* KindName() const { return kind == Kind::kService ? "service" : "user"; }
};

/// The `sub` prefix that marks a service account.
inline constexpr char kServiceSubjectPrefix[] = "service:";

}  // namespace backoffice::auth
