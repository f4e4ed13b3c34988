#include "services/users/call_guard.h"

#include <utility>

#include "absl/strings/match.h"
#include "libs/server/request_context.h"

namespace backoffice::users {

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

CallGuard::CallGuard(const auth::CallAuthenticator& authenticator,
                     std::unique_ptr<const CallAuthorizer> authorizer)
    : authenticator_(authenticator), authorizer_(std::move(authorizer)) {}

absl::Status CallGuard::Authorize(const auth::Caller& caller, std::string_view permission,
                                  std::string_view subject_user_id,
                                  ServiceAccounts services) const {
  if (caller.kind == auth::Caller::Kind::kService) {
    return services == ServiceAccounts::kAdmitted
               ? absl::OkStatus()
               : absl::PermissionDeniedError("a service account may not make this call");
  }
  return authorizer_->Authorize(caller, permission, subject_user_id);
}

absl::StatusOr<CallScope> CallGuard::Admit(const grpc::ServerContextBase& context,
                                           std::string_view permission,
                                           std::string_view subject_user_id,
                                           ServiceAccounts services) const {
  absl::StatusOr<auth::Caller> caller = authenticator_.Authenticate(context);
  if (!caller.ok()) {
    return caller.status();
  }
  if (absl::Status allowed = Authorize(*caller, permission, subject_user_id, services);
      !allowed.ok()) {
    return allowed;
  }
  Actor actor = ActorFor(*caller, server::RequestIdOf(context), server::TraceIdOf(context));
  return CallScope{.caller = *std::move(caller), .actor = std::move(actor)};
}

}  // namespace backoffice::users
