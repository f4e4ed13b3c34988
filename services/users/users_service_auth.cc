// Sign-in handlers of UsersService: Login, CompleteLogin, Refresh, Logout, sessions, passwords,
// TOTP and lockout. Thin: check the request's shape, decide whose account the call acts on, call
// the sign-in classes (services/users/auth), map the result.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/users/auth/credential_manager.h"
#include "services/users/auth/login_flow.h"
#include "services/users/auth/session_store.h"
#include "services/users/store/user_store.h"
#include "services/users/user_mapping.h"
#include "services/users/users_service.h"

namespace backoffice::users {
namespace {

absl::Status Required(std::string_view field) {
  return absl::InvalidArgumentError(
      absl::StrCat(absl::string_view(field.data(), field.size()), ": required"));
}

ClientInfo ClientFromProto(const v1::ClientInfo& client) {
  return ClientInfo{.ip_address = client.ip_address(), .user_agent = client.user_agent()};
}

void DurationToProto(absl::Duration duration, google::protobuf::Duration* out) {
  const int64_t seconds = absl::ToInt64Seconds(duration);
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(duration - absl::Seconds(seconds))));
}

void TokensToProto(const TokenPair& tokens, v1::TokenPair* out) {
  out->set_access_token(tokens.access_token);
  DurationToProto(tokens.access_token_expires_in, out->mutable_access_token_expires_in());
  out->set_refresh_token(tokens.refresh_token);
  TimeToProto(tokens.refresh_token_expire_time, out->mutable_refresh_token_expire_time());
  out->set_token_type(tokens.token_type);
}

void LockoutToProto(const LockoutInfo& lockout, v1::Lockout* out) {
  out->set_user_id(lockout.user_id);
  out->set_locked(lockout.locked);
  out->set_failed_attempts(lockout.failed_attempts);
  if (lockout.locked_until) {
    TimeToProto(*lockout.locked_until, out->mutable_locked_until());
  }
  out->set_lock_count(lockout.lock_count);
  if (lockout.last_failure_time) {
    TimeToProto(*lockout.last_failure_time, out->mutable_last_failure_time());
  }
  out->set_last_failure_ip_address(lockout.last_failure_ip_address);
}

// Calls on "the caller's own account" need a user, not a service account.
absl::Status RequireUser(const CallScope& call) {
  if (call.caller.kind != auth::Caller::Kind::kUser) {
    return absl::PermissionDeniedError("only a user can do this for their own account");
  }
  return absl::OkStatus();
}

// Fills a LoginResponse: tokens plus the user, or the challenge.
absl::Status LoginResultToProto(UserStore& store, const LoginResult& result,
                                v1::LoginResponse* response) {
  if (result.challenge) {
    v1::SecondFactorChallenge* challenge = response->mutable_challenge();
    challenge->set_challenge_token(result.challenge->challenge_token);
    for (SecondFactorMethod method : result.challenge->methods) {
      challenge->add_methods(method == SecondFactorMethod::kTotp
                                 ? v1::SECOND_FACTOR_METHOD_TOTP
                                 : v1::SECOND_FACTOR_METHOD_RECOVERY_CODE);
    }
    TimeToProto(result.challenge->expire_time, challenge->mutable_expire_time());
    return absl::OkStatus();
  }
  if (!result.tokens) {
    return absl::InternalError("login returned neither tokens nor a challenge");
  }
  TokensToProto(result.tokens->tokens, response->mutable_tokens());
  response->set_session_id(result.tokens->session_id);
  absl::StatusOr<User> user = store.Get(result.tokens->user_id);
  if (!user.ok()) {
    return user.status();
  }
  UserToProto(*user, response->mutable_user());
  return absl::OkStatus();
}

}  // namespace

grpc::Status UsersServiceImpl::Login(grpc::ServerContext* context, const v1::LoginRequest* request,
                                     v1::LoginResponse* response) {
  return HandlePublic(*context, [&](const Actor& actor) -> absl::Status {
    absl::StatusOr<LoginResult> result = [&] {
      HashSlot slot(*this);
      return deps_.authenticator.Login(request->email(), request->password(),
                                       ClientFromProto(request->client()), actor, absl::Now());
    }();
    if (!result.ok()) {
      return result.status();
    }
    return LoginResultToProto(deps_.store, *result, response);
  });
}

grpc::Status UsersServiceImpl::CompleteLogin(grpc::ServerContext* context,
                                             const v1::CompleteLoginRequest* request,
                                             v1::LoginResponse* response) {
  return HandlePublic(*context, [&](const Actor& actor) -> absl::Status {
    if (request->challenge_token().empty()) {
      return Required("challenge_token");
    }
    SecondFactor factor;
    switch (request->factor_case()) {
      case v1::CompleteLoginRequest::kTotpCode:
        factor = {.method = SecondFactorMethod::kTotp, .code = request->totp_code()};
        break;
      case v1::CompleteLoginRequest::kRecoveryCode:
        factor = {.method = SecondFactorMethod::kRecoveryCode, .code = request->recovery_code()};
        break;
      default:
        return absl::InvalidArgumentError("totp_code: required (or recovery_code)");
    }
    absl::StatusOr<LoginResult> result = deps_.authenticator.CompleteLogin(
        request->challenge_token(), factor, ClientFromProto(request->client()), actor, absl::Now());
    if (!result.ok()) {
      return result.status();
    }
    return LoginResultToProto(deps_.store, *result, response);
  });
}

grpc::Status UsersServiceImpl::Refresh(grpc::ServerContext* context,
                                       const v1::RefreshRequest* request, v1::TokenPair* response) {
  return HandlePublic(*context, [&](const Actor& actor) -> absl::Status {
    absl::StatusOr<TokenPair> tokens = deps_.authenticator.Refresh(
        request->refresh_token(), ClientFromProto(request->client()), actor, absl::Now());
    if (!tokens.ok()) {
      return tokens.status();
    }
    TokensToProto(*tokens, response);
    return absl::OkStatus();
  });
}

grpc::Status UsersServiceImpl::Logout(grpc::ServerContext* context,
                                      const v1::LogoutRequest* request, google::protobuf::Empty*) {
  return Handle(*context, kPermSelf, "", [&](const CallScope& call) -> absl::Status {
    if (absl::Status user = RequireUser(call); !user.ok()) {
      return user;
    }
    if (!request->refresh_token().empty()) {
      return deps_.authenticator.Logout(request->refresh_token(), call.actor, absl::Now());
    }
    if (call.caller.session_id.empty()) {
      return absl::InvalidArgumentError(
          "refresh_token: required when the caller's token names no session");
    }
    return deps_.sessions.Revoke(call.caller.session_id, call.caller.id, kRevokeLogout, call.actor,
                                 absl::Now());
  });
}

grpc::Status UsersServiceImpl::ListSessions(grpc::ServerContext* context,
                                            const v1::ListSessionsRequest* request,
                                            v1::ListSessionsResponse* response) {
  return Handle(*context, request->user_id().empty() ? kPermSelf : kPermSessionsRead,
                request->user_id(), [&](const CallScope& call) -> absl::Status {
                  if (request->page().offset() != 0) {
                    return absl::InvalidArgumentError("page.offset: not supported; use page_token");
                  }
                  if (request->user_id().empty()) {
                    if (absl::Status user = RequireUser(call); !user.ok()) {
                      return user;
                    }
                  }
                  const std::string& user_id =
                      request->user_id().empty() ? call.caller.id : request->user_id();
                  absl::StatusOr<SessionPage> page = deps_.sessions.List(
                      user_id, call.caller.session_id,
                      std::min(request->page().page_size(), SessionStore::kMaxPageSize),
                      request->page().page_token(), absl::Now());
                  if (!page.ok()) {
                    return page.status();
                  }
                  for (const SessionInfo& session : page->sessions) {
                    v1::Session* out = response->add_sessions();
                    out->set_id(session.id);
                    out->set_user_id(session.user_id);
                    TimeToProto(session.create_time, out->mutable_create_time());
                    TimeToProto(session.last_use_time, out->mutable_last_use_time());
                    TimeToProto(session.expire_time, out->mutable_expire_time());
                    out->set_ip_address(session.ip_address);
                    out->set_user_agent(session.user_agent);
                    out->set_current(session.current);
                    out->set_second_factor_used(session.second_factor_used);
                  }
                  response->mutable_page_info()->set_next_page_token(page->next_page_token);
                  response->mutable_page_info()->set_total_size(page->total_size);
                  return absl::OkStatus();
                });
}

grpc::Status UsersServiceImpl::RevokeSession(grpc::ServerContext* context,
                                             const v1::RevokeSessionRequest* request,
                                             google::protobuf::Empty*) {
  return Handle(*context, kPermSelf, "", [&](const CallScope& call) -> absl::Status {
    if (request->session_id().empty()) {
      return Required("session_id");
    }
    // Without `sessions:revoke` only the caller's own sessions can be ended; another
    // user's is NOT_FOUND (no existence leak).
    std::optional<std::string_view> owner;
    if (!deps_.guard.Authorize(call.caller, kPermSessionsRevoke, "").ok()) {
      if (absl::Status user = RequireUser(call); !user.ok()) {
        return user;
      }
      owner = call.caller.id;
    }
    return deps_.sessions.Revoke(request->session_id(), owner, kRevokeRevoked, call.actor,
                                 absl::Now());
  });
}

grpc::Status UsersServiceImpl::RevokeAllSessions(grpc::ServerContext* context,
                                                 const v1::RevokeAllSessionsRequest* request,
                                                 v1::RevokeAllSessionsResponse* response) {
  return Handle(*context, request->user_id().empty() ? kPermSelf : kPermSessionsRevoke,
                request->user_id(), [&](const CallScope& call) -> absl::Status {
                  if (request->user_id().empty()) {
                    if (absl::Status user = RequireUser(call); !user.ok()) {
                      return user;
                    }
                  }
                  const std::string& user_id =
                      request->user_id().empty() ? call.caller.id : request->user_id();
                  std::optional<std::string_view> keep;
                  if (request->keep_current() && user_id == call.caller.id &&
                      !call.caller.session_id.empty()) {
                    keep = call.caller.session_id;
                  }
                  absl::StatusOr<int> revoked = deps_.sessions.RevokeAll(
                      user_id, kRevokeRevoked, call.actor, absl::Now(), keep);
                  if (!revoked.ok()) {
                    return revoked.status();
                  }
                  response->set_revoked_count(*revoked);
                  return absl::OkStatus();
                });
}

grpc::Status UsersServiceImpl::SetPassword(grpc::ServerContext* context,
                                           const v1::SetPasswordRequest* request,
                                           google::protobuf::Empty*) {
  return Handle(*context, kPermPasswordsReset, "", [&](const CallScope& call) -> absl::Status {
    if (request->user_id().empty()) {
      return Required("user_id");
    }
    if (request->new_password().empty()) {
      return Required("new_password");
    }
    HashSlot slot(*this);
    return deps_.credentials.SetPassword(request->user_id(), request->new_password(),
                                         {.require_change = request->require_change(),
                                          .revoke_sessions = request->revoke_sessions()},
                                         call.actor, absl::Now());
  });
}

grpc::Status UsersServiceImpl::ChangePassword(grpc::ServerContext* context,
                                              const v1::ChangePasswordRequest* request,
                                              google::protobuf::Empty*) {
  return Handle(*context, kPermSelf, "", [&](const CallScope& call) -> absl::Status {
    if (absl::Status user = RequireUser(call); !user.ok()) {
      return user;
    }
    if (request->current_password().empty()) {
      return Required("current_password");
    }
    if (request->new_password().empty()) {
      return Required("new_password");
    }
    HashSlot slot(*this);
    return deps_.credentials.ChangePassword(
        call.caller.id, request->current_password(), request->new_password(),
        {.revoke_other_sessions = request->revoke_other_sessions(),
         .current_session_id = call.caller.session_id},
        call.actor, absl::Now());
  });
}

grpc::Status UsersServiceImpl::ResetPassword(grpc::ServerContext* context,
                                             const v1::ResetPasswordRequest* request,
                                             v1::ResetPasswordResponse* response) {
  return Handle(*context, kPermPasswordsReset, "", [&](const CallScope& call) -> absl::Status {
    if (request->user_id().empty()) {
      return Required("user_id");
    }
    HashSlot slot(*this);
    absl::StatusOr<std::string> temporary =
        deps_.credentials.ResetPassword(request->user_id(), call.actor, absl::Now());
    if (!temporary.ok()) {
      return temporary.status();
    }
    response->set_temporary_password(*std::move(temporary));
    return absl::OkStatus();
  });
}

grpc::Status UsersServiceImpl::EnrollTotp(grpc::ServerContext* context,
                                          const v1::EnrollTotpRequest* request,
                                          v1::EnrollTotpResponse* response) {
  return Handle(*context, kPermSelf, "", [&](const CallScope& call) -> absl::Status {
    if (absl::Status user = RequireUser(call); !user.ok()) {
      return user;
    }
    if (request->password().empty()) {
      return Required("password");
    }
    absl::StatusOr<TotpEnrollment> enrollment = [&] {
      HashSlot slot(*this);
      return deps_.credentials.EnrollTotp(call.caller.id, request->password(), call.actor,
                                          absl::Now());
    }();
    if (!enrollment.ok()) {
      return enrollment.status();
    }
    response->set_secret(enrollment->secret);
    response->set_otpauth_uri(enrollment->otpauth_uri);
    TimeToProto(enrollment->expire_time, response->mutable_expire_time());
    return absl::OkStatus();
  });
}

grpc::Status UsersServiceImpl::VerifyTotp(grpc::ServerContext* context,
                                          const v1::VerifyTotpRequest* request,
                                          v1::VerifyTotpResponse* response) {
  return Handle(*context, kPermSelf, "", [&](const CallScope& call) -> absl::Status {
    if (absl::Status user = RequireUser(call); !user.ok()) {
      return user;
    }
    if (request->code().empty()) {
      return Required("code");
    }
    absl::StatusOr<std::vector<std::string>> codes = deps_.credentials.VerifyTotp(
        call.caller.id, request->code(), call.caller.session_id, call.actor, absl::Now());
    if (!codes.ok()) {
      return codes.status();
    }
    for (std::string& code : *codes) {
      response->add_recovery_codes(std::move(code));
    }
    return absl::OkStatus();
  });
}

grpc::Status UsersServiceImpl::DisableTotp(grpc::ServerContext* context,
                                           const v1::DisableTotpRequest* request,
                                           google::protobuf::Empty*) {
  const bool self = request->user_id().empty();
  return Handle(
      *context, self ? kPermSelf : kPermPasswordsReset, request->user_id(),
      [&](const CallScope& call) -> absl::Status {
        const bool own = self || request->user_id() == call.caller.id;
        TotpDisableProof proof{.kind = TotpDisableProof::Kind::kAdministrator};
        if (own) {
          if (absl::Status user = RequireUser(call); !user.ok()) {
            return user;
          }
          switch (request->proof_case()) {
            case v1::DisableTotpRequest::kPassword:
              proof = {.kind = TotpDisableProof::Kind::kPassword, .value = request->password()};
              break;
            case v1::DisableTotpRequest::kTotpCode:
              proof = {.kind = TotpDisableProof::Kind::kTotpCode, .value = request->totp_code()};
              break;
            default:
              return absl::InvalidArgumentError(
                  "password: required for your own account (or totp_code)");
          }
        }
        HashSlot slot(*this);
        return deps_.credentials.DisableTotp(own ? call.caller.id : request->user_id(), proof,
                                             call.actor, absl::Now());
      });
}

grpc::Status UsersServiceImpl::RegenerateRecoveryCodes(
    grpc::ServerContext* context, const v1::RegenerateRecoveryCodesRequest* request,
    v1::RegenerateRecoveryCodesResponse* response) {
  return Handle(*context, kPermSelf, "", [&](const CallScope& call) -> absl::Status {
    if (absl::Status user = RequireUser(call); !user.ok()) {
      return user;
    }
    if (request->totp_code().empty()) {
      return Required("totp_code");
    }
    absl::StatusOr<std::vector<std::string>> codes = deps_.credentials.RegenerateRecoveryCodes(
        call.caller.id, request->totp_code(), call.actor, absl::Now());
    if (!codes.ok()) {
      return codes.status();
    }
    for (std::string& code : *codes) {
      response->add_recovery_codes(std::move(code));
    }
    return absl::OkStatus();
  });
}

grpc::Status UsersServiceImpl::GetLockout(grpc::ServerContext* context,
                                          const v1::GetLockoutRequest* request,
                                          v1::Lockout* response) {
  return Handle(*context, kPermUsersRead, "", [&](const CallScope&) -> absl::Status {
    if (request->user_id().empty()) {
      return Required("user_id");
    }
    absl::StatusOr<LockoutInfo> lockout =
        deps_.authenticator.GetLockout(request->user_id(), absl::Now());
    if (!lockout.ok()) {
      return lockout.status();
    }
    LockoutToProto(*lockout, response);
    return absl::OkStatus();
  });
}

grpc::Status UsersServiceImpl::Unlock(grpc::ServerContext* context,
                                      const v1::UnlockRequest* request, v1::Lockout* response) {
  return Handle(*context, kPermUsersUnlock, "", [&](const CallScope& call) -> absl::Status {
    if (request->user_id().empty()) {
      return Required("user_id");
    }
    absl::StatusOr<LockoutInfo> lockout =
        deps_.authenticator.Unlock(request->user_id(), call.actor, absl::Now());
    if (!lockout.ok()) {
      return lockout.status();
    }
    LockoutToProto(*lockout, response);
    return absl::OkStatus();
  });
}

}  // namespace backoffice::users
