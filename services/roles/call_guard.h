// Admission of a roles-service call: who is calling (a verified access token of the users
// service, via libs/auth's CallAuthenticator) and the Actor the stores record. What the caller
// may do is decided per call by AccessControl (the service's own grants), not here.
//
//   CallGuard guard(authenticator);
//   absl::StatusOr<CallScope> call = guard.Admit(*context);   // UNAUTHENTICATED
//   access.Require(call->caller, kPermRolesRead);
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "libs/auth/call_authenticator.h"
#include "libs/auth/caller.h"
#include "services/roles/store/rbac_types.h"

namespace grpc {
class ServerContextBase;
}

namespace backoffice::roles {

/// An authenticated call.
struct CallScope {
  auth::Caller caller;
  /// Type "user" or "service", the caller's id, request and trace ids.
  Actor actor;
  /// The `authorization` metadata as received, forwarded to the users service.
  std::string authorization;
};

/// The Actor for a verified caller (service accounts without the "service:" prefix).
Actor ActorFor(const auth::Caller& caller, std::string request_id, std::string trace_id);

/// Thread-safe.
class CallGuard final {
 public:
  explicit CallGuard(const auth::CallAuthenticator& authenticator)
      : authenticator_(authenticator) {}

  /// UNAUTHENTICATED when `authorization` is missing or does not verify.
  absl::StatusOr<CallScope> Admit(const grpc::ServerContextBase& context) const;

 private:
  const auth::CallAuthenticator& authenticator_;
};

}  // namespace backoffice::roles
