// The gRPC handlers of UsersService (proto/users/v1/users.proto). Synchronous API: every handler
// blocks on PostgreSQL through libpq, so gRPC runs it on its bounded handler thread pool
// (docs/decisions/0003-sync-grpc-for-db-services.md). Each handler admits the call (CallGuard),
// checks the request's shape, calls the store or the sign-in classes, and converts the result
// with server::ToGrpcStatus, the one place where absl::Status becomes grpc::Status.
//
// The handlers live in several files, one group each: users_service.cc (accounts),
// users_service_bulk.cc (CSV import/export), users_service_keys.cc (JWKS and signing keys).
// Calls whose sign-in classes have not landed yet answer UNIMPLEMENTED (the base class).
#pragma once

#include <grpcpp/server_context.h>

#include <functional>

#include "absl/status/status.h"
#include "proto/users/v1/users.grpc.pb.h"
#include "services/users/call_guard.h"

namespace backoffice::users {

class UserStore;
class PasswordHasher;
class PasswordPolicy;
class SigningKeyRing;

/// What the handlers work with; every reference must outlive the service.
struct UsersServiceDeps {
  UserStore& store;
  const CallGuard& guard;
  const PasswordHasher& hasher;
  const PasswordPolicy& policy;
  SigningKeyRing& keys;
};

/// UsersService over the store and the sign-in classes. Thread-safe.
class UsersServiceImpl final : public v1::UsersService::Service {
 public:
  explicit UsersServiceImpl(UsersServiceDeps deps) : deps_(deps) {}

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

 private:
  /// Admits the call for `permission` (on `subject_user_id`, if any), runs `body`, and converts
  /// its status (or the admission failure) for gRPC.
  grpc::Status Handle(grpc::ServerContext& context, std::string_view permission,
                      std::string_view subject_user_id,
                      const std::function<absl::Status(const CallScope&)>& body);
  /// Runs `body` for a call that needs no token and converts its status.
  grpc::Status HandlePublic(grpc::ServerContext& context,
                            const std::function<absl::Status()>& body);

  UsersServiceDeps deps_;
};

}  // namespace backoffice::users
