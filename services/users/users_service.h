// The gRPC handlers of UsersService (proto/users/v1/users.proto). Synchronous API: every handler
// blocks on PostgreSQL through libpq, so gRPC runs it on its bounded handler thread pool
// (docs/decisions/0003-sync-grpc-for-db-services.md). Each handler admits the call (CallGuard),
// checks the request's shape, calls the store or the sign-in classes, and converts the result
// with server::ToGrpcStatus, the one place where absl::Status becomes grpc::Status.
//
// The handlers live in several files, one group each: users_service.cc (accounts and their
// change stream),
// users_service_bulk.cc (CSV import/export), users_service_keys.cc (JWKS and signing keys),
// users_service_auth.cc (login, tokens, sessions, passwords, TOTP, lockout).
#pragma once

#include <grpcpp/server_context.h>

#include <functional>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "libs/watch/change_feed.h"
#include "proto/users/v1/users.grpc.pb.h"
#include "services/users/call_guard.h"

namespace backoffice::users {

class UserStore;
class PasswordHasher;
class PasswordPolicy;
class SigningKeyRing;
class Authenticator;
class SessionStore;
class CredentialManager;
class AdminHolders;
struct LastAdminCheck;

/// What the handlers work with; every reference must outlive the service.
struct UsersServiceDeps {
  UserStore& store;
  const CallGuard& guard;
  const PasswordHasher& hasher;
  const PasswordPolicy& policy;
  SigningKeyRing& keys;
  Authenticator& authenticator;
  SessionStore& sessions;
  CredentialManager& credentials;
  /// What this replica hears on `users_changed` (WatchUserChanges).
  watch::ChangeFeed& feed;
  /// Who holds `admin`, for the last-admin rule of DeleteUser, DisableUser and ImportUsers'
  /// disabling rows; null (no --service_key_file) turns the rule off.
  AdminHolders* admins = nullptr;
  /// Most argon2id hashes or verifications running at once (each holds 64 MiB for ~65 ms); more
  /// wait. About the number of cores.
  int max_concurrent_hashes = 2;
};

/// UsersService over the store and the sign-in classes. Thread-safe.
class UsersServiceImpl final : public v1::UsersService::Service {
 public:
  explicit UsersServiceImpl(UsersServiceDeps deps)
      : deps_(deps), free_hash_slots_(deps.max_concurrent_hashes) {}

  // Accounts (users_service.cc).
  grpc::Status CreateUser(grpc::ServerContext* context, const v1::CreateUserRequest* request,
                          v1::User* response) override;
  grpc::Status GetUser(grpc::ServerContext* context, const v1::GetUserRequest* request,
                       v1::User* response) override;
  grpc::Status BatchGetUsers(grpc::ServerContext* context, const v1::BatchGetUsersRequest* request,
                             v1::BatchGetUsersResponse* response) override;
  grpc::Status UpdateUser(grpc::ServerContext* context, const v1::UpdateUserRequest* request,
                          v1::User* response) override;
  grpc::Status DeleteUser(grpc::ServerContext* context, const v1::DeleteUserRequest* request,
                          v1::User* response) override;
  grpc::Status RestoreUser(grpc::ServerContext* context, const v1::RestoreUserRequest* request,
                           v1::User* response) override;
  grpc::Status DisableUser(grpc::ServerContext* context, const v1::DisableUserRequest* request,
                           v1::User* response) override;
  grpc::Status EnableUser(grpc::ServerContext* context, const v1::EnableUserRequest* request,
                          v1::User* response) override;
  grpc::Status ListUsers(grpc::ServerContext* context, const v1::ListUsersRequest* request,
                         v1::ListUsersResponse* response) override;
  /// Holds one handler thread per stream (the feed bounds how many); a service account or
  /// `users:read`.
  grpc::Status WatchUserChanges(grpc::ServerContext* context,
                                const v1::WatchUserChangesRequest* request,
                                grpc::ServerWriter<v1::UserChange>* writer) override;

  // Bulk CSV (users_service_bulk.cc).
  grpc::Status ImportUsers(grpc::ServerContext* context,
                           grpc::ServerReader<v1::ImportUsersRequest>* reader,
                           v1::ImportUsersResponse* response) override;
  grpc::Status ExportUsers(grpc::ServerContext* context, const v1::ExportUsersRequest* request,
                           grpc::ServerWriter<v1::ExportUsersResponse>* writer) override;

  // Signing keys (users_service_keys.cc).
  grpc::Status GetJwks(grpc::ServerContext* context, const v1::GetJwksRequest* request,
                       v1::GetJwksResponse* response) override;
  grpc::Status ListSigningKeys(grpc::ServerContext* context,
                               const v1::ListSigningKeysRequest* request,
                               v1::ListSigningKeysResponse* response) override;
  grpc::Status RotateSigningKey(grpc::ServerContext* context,
                                const v1::RotateSigningKeyRequest* request,
                                v1::RotateSigningKeyResponse* response) override;

  // Sign-in, sessions, passwords, TOTP, lockout (users_service_auth.cc).
  grpc::Status Login(grpc::ServerContext* context, const v1::LoginRequest* request,
                     v1::LoginResponse* response) override;
  grpc::Status CompleteLogin(grpc::ServerContext* context, const v1::CompleteLoginRequest* request,
                             v1::LoginResponse* response) override;
  grpc::Status Refresh(grpc::ServerContext* context, const v1::RefreshRequest* request,
                       v1::TokenPair* response) override;
  grpc::Status Logout(grpc::ServerContext* context, const v1::LogoutRequest* request,
                      google::protobuf::Empty* response) override;
  grpc::Status ListSessions(grpc::ServerContext* context, const v1::ListSessionsRequest* request,
                            v1::ListSessionsResponse* response) override;
  grpc::Status RevokeSession(grpc::ServerContext* context, const v1::RevokeSessionRequest* request,
                             google::protobuf::Empty* response) override;
  grpc::Status RevokeAllSessions(grpc::ServerContext* context,
                                 const v1::RevokeAllSessionsRequest* request,
                                 v1::RevokeAllSessionsResponse* response) override;
  grpc::Status SetPassword(grpc::ServerContext* context, const v1::SetPasswordRequest* request,
                           google::protobuf::Empty* response) override;
  grpc::Status ChangePassword(grpc::ServerContext* context,
                              const v1::ChangePasswordRequest* request,
                              google::protobuf::Empty* response) override;
  grpc::Status ResetPassword(grpc::ServerContext* context, const v1::ResetPasswordRequest* request,
                             v1::ResetPasswordResponse* response) override;
  grpc::Status EnrollTotp(grpc::ServerContext* context, const v1::EnrollTotpRequest* request,
                          v1::EnrollTotpResponse* response) override;
  grpc::Status VerifyTotp(grpc::ServerContext* context, const v1::VerifyTotpRequest* request,
                          v1::VerifyTotpResponse* response) override;
  grpc::Status DisableTotp(grpc::ServerContext* context, const v1::DisableTotpRequest* request,
                           google::protobuf::Empty* response) override;
  grpc::Status RegenerateRecoveryCodes(grpc::ServerContext* context,
                                       const v1::RegenerateRecoveryCodesRequest* request,
                                       v1::RegenerateRecoveryCodesResponse* response) override;
  grpc::Status GetLockout(grpc::ServerContext* context, const v1::GetLockoutRequest* request,
                          v1::Lockout* response) override;
  grpc::Status Unlock(grpc::ServerContext* context, const v1::UnlockRequest* request,
                      v1::Lockout* response) override;

  /// Frees the calling thread's hash slot (if it holds one), then sleeps: the sign-in classes'
  /// throttle delay (AuthenticatorOptions::sleep) must not keep an argon2 slot busy, or a few
  /// failing logins would starve everyone else's.
  static void SleepOutsideHashSlot(absl::Duration delay);

 private:
  /// Holds one of the max_concurrent_hashes slots from construction until Release() or
  /// destruction.
  class HashSlot {
   public:
    explicit HashSlot(UsersServiceImpl& service);
    ~HashSlot();
    HashSlot(const HashSlot&) = delete;
    HashSlot& operator=(const HashSlot&) = delete;

    /// Gives the slot back early; idempotent.
    void Release();

   private:
    UsersServiceImpl& service_;
    bool held_ = true;
  };

  /// Admits the call for `permission` (on `subject_user_id`, if any), runs `body`, and converts
  /// its status (or the admission failure) for gRPC.
  grpc::Status Handle(grpc::ServerContext& context, std::string_view permission,
                      std::string_view subject_user_id,
                      const std::function<absl::Status(const CallScope&)>& body);
  /// Runs `body` for a call that needs no token (Login, CompleteLogin, Refresh, GetJwks) with an
  /// Actor carrying only the request and trace ids, and converts its status.
  grpc::Status HandlePublic(grpc::ServerContext& context,
                            const std::function<absl::Status(const Actor&)>& body);

  /// The store's last-admin rule input: off without deps_.admins, else who holds `admin` now
  /// (UNAVAILABLE when the roles service cannot say).
  absl::StatusOr<LastAdminCheck> AdminCheck() const;

  UsersServiceDeps deps_;
  absl::Mutex hash_slots_mutex_;
  int free_hash_slots_ ABSL_GUARDED_BY(hash_slots_mutex_);
};

}  // namespace backoffice::users
