#include "libs/auth/call_authenticator.h"

#include <grpcpp/server_context.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/auth/bearer_token.h"
#include "libs/jwt/token_verifier.h"

namespace backoffice::auth {
namespace {

// The string entries of the `permissions` claim when it is an array (other entries are
// skipped), else none: what the BFF's TokenAuthenticator reads for external principals.
std::vector<std::string> PermissionsClaim(const jwt::Claims& claims) {
  std::vector<std::string> permissions;
  const boost::json::value* value = claims.payload.if_contains("permissions");
  if (value == nullptr || !value->is_array()) return permissions;
  for (const boost::json::value& item : value->get_array()) {
    if (item.is_string()) permissions.emplace_back(item.get_string());
  }
  return permissions;
}

}  // namespace

CallAuthenticator::CallAuthenticator(std::shared_ptr<const jwt::TokenVerifier> verifier,
                                     CallAuthenticatorOptions options)
    : verifier_(std::move(verifier)), options_(std::move(options)) {}

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
  const std::vector<std::string>& external = options_.external_issuers;
  if (std::find(external.begin(), external.end(), claims->iss) != external.end()) {
    // Never a service account or a users-service user, whatever its `sub` looks like.
    if (claims->sub.find('\0') != std::string::npos) {
      return absl::UnauthenticatedError("sub holds a NUL character");
    }
    caller.kind = Caller::Kind::kExternal;
    caller.id = ExternalPrincipalId(claims->iss, claims->sub);
    if (caller.id.size() > kMaxPrincipalIdBytes) {
      return absl::UnauthenticatedError(
          absl::StrCat("the principal id <iss>#<sub> is longer than ", kMaxPrincipalIdBytes,
                       " bytes, more than actors recorded for changes may hold"));
    }
    caller.permissions = PermissionsClaim(*claims);
  } else {
    caller.kind = absl::StartsWith(claims->sub, kServiceSubjectPrefix) ? Caller::Kind::kService
                                                                       : Caller::Kind::kUser;
    caller.id = claims->sub;
    caller.session_id = claims->sid;
  }
  caller.token_id = claims->jti;
  caller.issuer = claims->iss;
  caller.roles = claims->roles;
  caller.expires_at = claims->exp;
  caller.authorization = std::string(authorization);
  return caller;
}

}  // namespace backoffice::auth
