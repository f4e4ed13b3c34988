// Admission of an audit-service call: a verified bearer token (libs/auth CallAuthenticator; users
// service tokens and service-account tokens, see main.cc) and what the handlers need about the
// caller. What the caller may do is decided per call (PermissionChecker, service-only appends).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "libs/auth/call_authenticator.h"
#include "libs/auth/caller.h"

namespace grpc {
class ServerContextBase;
}

namespace backoffice::audit {

/// An authenticated call.
struct CallScope {
  auth::Caller caller;
  /// The `authorization` metadata as received (forwarded to the roles service).
  std::string authorization;
  std::string request_id;
  std::string trace_id;
  /// The peer address as gRPC reports it ("ipv4:127.0.0.1:5555").
  std::string peer;
};

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

}  // namespace backoffice::audit
