// Admission of a users-service call: who is calling (a verified access token, via
// libs/auth's CallAuthenticator), whether they may do it (the authorization hook), and the Actor
// the store records on the changes the call makes.
//
//   CallGuard guard(authenticator, std::make_unique<RolesCallAuthorizer>(permissions));
//   absl::StatusOr<CallScope> call = guard.Admit(*context, kPermUsersRead, request->id());
//   if (!call.ok()) { return ToGrpcStatus(call.status(), ...); }  // UNAUTHENTICATED, ...
//   store.Update(update, call->actor);
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "libs/auth/call_authenticator.h"
#include "libs/auth/caller.h"
#include "services/users/store/user.h"

namespace grpc {
class ServerContextBase;
}

namespace backoffice::users {

/// Permission names of the users service (users.proto names one per call). kPermSelf marks
/// calls on the caller's own account, which need only a valid token.
inline constexpr std::string_view kPermSelf = "self";
inline constexpr std::string_view kPermUsersRead = "users:read";
inline constexpr std::string_view kPermUsersWrite = "users:write";
inline constexpr std::string_view kPermUsersDelete = "users:delete";
inline constexpr std::string_view kPermUsersImport = "users:import";
inline constexpr std::string_view kPermUsersExport = "users:export";
inline constexpr std::string_view kPermUsersUnlock = "users:unlock";
// Setting or resetting someone else's password is part of managing the account.
inline constexpr std::string_view kPermPasswordsReset = "users:write";
inline constexpr std::string_view kPermSessionsRead = "sessions:read";
inline constexpr std::string_view kPermSessionsRevoke = "sessions:revoke";
inline constexpr std::string_view kPermKeysManage = "keys:rotate";

/// The authorization hook: may `caller` exercise `permission`, on the account `subject_user_id`
/// when the call names one ("" otherwise)? Calls the contract marks "or self" pass the account
/// they act on so an implementation can allow a caller's own account without the permission.
/// OK, or PERMISSION_DENIED.
class CallAuthorizer {
 public:
  virtual ~CallAuthorizer() = default;
  virtual absl::Status Authorize(const auth::Caller& caller, std::string_view permission,
                                 std::string_view subject_user_id) const = 0;
};

/// Whether a call admits service accounts (auth::Caller::Kind::kService). They hold no permission
/// here and have no account, so every call refuses them (PERMISSION_DENIED), `self` calls
/// included, except the few the contract opens to them (WatchUserChanges), which pass kAdmitted:
/// then a service account needs no permission and everyone else still needs `permission`.
enum class ServiceAccounts { kRefused, kAdmitted };

/// An admitted call.
struct CallScope {
  auth::Caller caller;
  /// The store's actor: type "user" or "service", the caller's id, request and trace ids.
  Actor actor;
};

/// The Actor for a verified caller: type from Caller::KindName(), id the caller's id (the token's
/// `sub`; without the "service:" prefix for service accounts; `<iss>#<sub>` for principals of
/// external issuers).
Actor ActorFor(const auth::Caller& caller, std::string request_id, std::string trace_id);

/// Authenticates and authorizes calls. Thread-safe.
class CallGuard final {
 public:
  /// Both must outlive the guard's use; `authorizer` is owned.
  CallGuard(const auth::CallAuthenticator& authenticator,
            std::unique_ptr<const CallAuthorizer> authorizer);

  /// UNAUTHENTICATED when the `authorization` metadata is missing or its token does not verify;
  /// PERMISSION_DENIED when Authorize refuses; else the caller and its Actor (request id from
  /// x-request-id, trace id from traceparent).
  absl::StatusOr<CallScope> Admit(const grpc::ServerContextBase& context,
                                  std::string_view permission,
                                  std::string_view subject_user_id = "",
                                  ServiceAccounts services = ServiceAccounts::kRefused) const;

  /// The authorization of an authenticated caller, also for decisions inside a call (e.g. whose
  /// sessions it may end): a service account by `services`, anyone else by the authorizer.
  absl::Status Authorize(const auth::Caller& caller, std::string_view permission,
                         std::string_view subject_user_id = "",
                         ServiceAccounts services = ServiceAccounts::kRefused) const;

 private:
  const auth::CallAuthenticator& authenticator_;
  std::unique_ptr<const CallAuthorizer> authorizer_;
};

}  // namespace backoffice::users
