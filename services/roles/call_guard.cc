#include "services/roles/call_guard.h"

#include <grpcpp/server_context.h>

#include <utility>

#include "absl/strings/match.h"
#include "libs/server/request_context.h"

namespace backoffice::roles {

Actor ActorFor(const auth::Caller& caller, std::string request_id, std::string trace_id) {
  std::string_view id = caller.id;
  if (caller.kind == auth::Caller::Kind::kService &&
      absl::StartsWith(caller.id, auth::kServiceSubjectPrefix)) {
    id.remove_prefix(sizeof(auth::kServiceSubjectPrefix) - 1);
  }
  return Actor{.type = caller.KindName(),
               .id = std::string(id),
               .request_id = std::move(request_id),
               .trace_id = std::move(trace_id)};
}

absl::StatusOr<CallScope> CallGuard::Admit(const grpc::ServerContextBase& context) const {
  absl::StatusOr<auth::Caller> caller = authenticator_.Authenticate(context);
  if (!caller.ok()) return caller.status();
  std::string authorization;
  auto it = context.client_metadata().find("authorization");
  if (it != context.client_metadata().end()) {
    authorization.assign(it->second.data(), it->second.size());
  }
  Actor actor = ActorFor(*caller, server::RequestIdOf(context), server::TraceIdOf(context));
  return CallScope{.caller = *std::move(caller),
                   .actor = std::move(actor),
                   .authorization = std::move(authorization)};
}

}  // namespace backoffice::roles
