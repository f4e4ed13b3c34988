#pragma once

#include <memory>
#include <string_view>

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

/// Turns the `authorization` metadata of a gRPC call into a verified Caller. Every service
/// handler calls it first (except the few public calls such as Login); the verifier decides
/// which issuers, audiences and keys are trusted.
///
///   CallAuthenticator authenticator(std::move(verifier));
///   absl::StatusOr<Caller> caller = authenticator.Authenticate(*context);
///   if (!caller.ok()) { return Finish(caller.status()); }  // UNAUTHENTICATED
class CallAuthenticator {
 public:
  explicit CallAuthenticator(std::shared_ptr<const jwt::TokenVerifier> verifier);

  /// Reads `authorization` from the call's metadata and verifies it now.
  absl::StatusOr<Caller> Authenticate(const grpc::ServerContextBase& context) const;

  /// The same from an `authorization` value, at `now`.
  absl::StatusOr<Caller> AuthenticateHeader(std::string_view authorization, absl::Time now) const;

 private:
  std::shared_ptr<const jwt::TokenVerifier> verifier_;
};

}  // namespace backoffice::auth
