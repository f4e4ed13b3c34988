#include "services/audit/call_guard.h"

#include <grpcpp/server_context.h>

#include "libs/server/request_context.h"

namespace backoffice::audit {

absl::StatusOr<CallScope> CallGuard::Admit(const grpc::ServerContextBase& context) const {
  absl::StatusOr<auth::Caller> caller = authenticator_.Authenticate(context);
  if (!caller.ok()) return caller.status();
  CallScope scope{.caller = *std::move(caller),
                  .request_id = server::RequestIdOf(context),
                  .trace_id = server::TraceIdOf(context),
                  .peer = context.peer()};
  auto it = context.client_metadata().find("authorization");
  if (it != context.client_metadata().end()) {
    scope.authorization.assign(it->second.data(), it->second.size());
  }
  return scope;
}

}  // namespace backoffice::audit
