#include "libs/auth/call_authenticator.h"

#include <grpcpp/server_context.h>

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "libs/auth/bearer_token.h"
#include "libs/jwt/token_verifier.h"

namespace backoffice::auth {

CallAuthenticator::CallAuthenticator(std::shared_ptr<const jwt::TokenVerifier> verifier)
    : verifier_(std::move(verifier)) {}

absl::StatusOr<Caller> CallAuthenticator::Authenticate(
    const grpc::ServerContextBase& context) const {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  std::string_view value;
  if (it != metadata.end()) {
    value = std::string_view(it->second.data(), it->second.size());
  }
  return AuthenticateHeader(value, absl::Now());
}

absl::StatusOr<Caller> CallAuthenticator::AuthenticateHeader(std::string_view authorization,
                                                             absl::Time now) const {
  absl::StatusOr<std::string_view> token = BearerToken(authorization);
  if (!token.ok()) {
    return token.status();
  }
  absl::StatusOr<jwt::Claims> claims = verifier_->Verify(*token, now);
  if (!claims.ok()) {
    return claims.status();
  }
  if (claims->sub.empty()) {
    return absl::UnauthenticatedError("token has no subject");
  }
  Caller caller;
  caller.kind = absl::StartsWith(claims->sub, kServiceSubjectPrefix) ? Caller::Kind::kService
                                                                     : Caller::Kind::kUser;
  caller.id = claims->sub;
  caller.session_id = claims->sid;
  caller.token_id = claims->jti;
  caller.issuer = claims->iss;
  caller.roles = claims->roles;
  caller.expires_at = claims->exp;
  caller.authorization = std::string(authorization);
  return caller;
}

}  // namespace backoffice::auth
