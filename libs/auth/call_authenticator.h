#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/auth/caller.h"

namespace grpc {
class ServerContextBase;
}

namespace backoffice::jwt {
class TokenVerifier;
}

namespace backoffice::auth {

/// Which of the verifier's issuers are external OpenID Connect issuers.
struct CallAuthenticatorOptions {
  /// Exact `iss` values of the external issuers (--oidc_issuer). Their principals become
  /// Caller::Kind::kExternal with the id "<iss>#<sub>" and their `permissions` claim; every
  /// other issuer's are users (or service accounts by the "service:" subject prefix).
  std::vector<std::string> external_issuers;
};

/// Turns the `authorization` metadata of a gRPC call into a verified Caller. Every service
/// handler calls it first (except the few public calls such as Login); the verifier decides
/// which issuers, audiences and keys are trusted.
///
/// An external principal is refused (UNAUTHENTICATED) when its id "<iss>#<sub>" would be longer
/// than kMaxPrincipalIdBytes or its `sub` holds a NUL: the id is recorded as the actor of its
/// changes, and outbox rows and audit records hold at most that, as text.
///
///   CallAuthenticator authenticator(std::move(verifier));
///   absl::StatusOr<Caller> caller = authenticator.Authenticate(*context);
///   if (!caller.ok()) { return Finish(caller.status()); }  // UNAUTHENTICATED
class CallAuthenticator {
 public:
  explicit CallAuthenticator(std::shared_ptr<const jwt::TokenVerifier> verifier,
                             CallAuthenticatorOptions options = {});

  /// Reads `authorization` from the call's metadata and verifies it now.
  absl::StatusOr<Caller> Authenticate(const grpc::ServerContextBase& context) const;

  /// The same from an `authorization` value, at `now`.
  absl::StatusOr<Caller> AuthenticateHeader(std::string_view authorization, absl::Time now) const;

 private:
  std::shared_ptr<const jwt::TokenVerifier> verifier_;
  CallAuthenticatorOptions options_;
};

}  // namespace backoffice::auth
