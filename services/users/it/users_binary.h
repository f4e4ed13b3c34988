// Test fixture for black-box tests of the users service: the real `users_service` binary against
// a fresh database of the shared test PostgreSQL, called over real gRPC on loopback, with the
// real `roles_service` beside it (the bootstrap admin holds `admin`), which decides what callers
// may do. The users service trusts one service-account key (--service_jwks_file), as it trusts
// the BFF's, so tests can call as the service "bff"; it has its own service key
// (--service_key_file, trusted by the roles service), so it registers its permissions, watches
// permission changes and asks who holds admin before DeleteUser / DisableUser.
//
//   UsersBinary users;                       // starts it; bootstrap admin admin@example.com
//   grpc::ClientContext context;
//   users.Authorize(context);                // Bearer token for the bootstrap admin
//   users.stub().GetUser(&context, request, &response);
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "libs/auth/service_token.h"
#include "libs/pg/pool.h"
#include "libs/testing/pg_server.h"
#include "proto/roles/v1/roles.grpc.pb.h"
#include "proto/users/v1/users.grpc.pb.h"
#include "tests/support/child_process.h"

namespace backoffice::users::it {

/// The bootstrap admin's login.
inline constexpr char kAdminEmail[] = "admin@example.com";
inline constexpr char kAdminPassword[] = "correct horse battery staple 42";

class UsersBinary {
 public:
  /// Starts the binary with a key file, the bootstrap admin and `extra_flags`; waits (bounded)
  /// for its "service started" line. Fails the test if it does not start.
  explicit UsersBinary(std::vector<std::string> extra_flags = {});
  ~UsersBinary();

  v1::UsersService::Stub& stub() { return *stub_; }
  /// The roles service beside it.
  roles::v1::RolesService::Stub& roles() { return *roles_stub_; }
  /// A pool on the service's database (search_path users).
  pg::Pool& pool() { return *pool_; }
  /// The bootstrap admin's id.
  const std::string& admin_id() const { return admin_id_; }
  /// Sends SIGTERM to the users service and waits (bounded) for it to exit: its exit code, or
  /// nullopt if it did not exit in time.
  std::optional<int> Terminate();

  /// Everything the binary logged so far.
  std::string Output() const { return child_->Output(); }

  /// Logs in over gRPC (Login); fails the test unless it returns tokens.
  v1::LoginResponse LoginOk(const std::string& email, const std::string& password);

  /// A service-account token of "service:bff" for the users service (aud backoffice-users),
  /// signed by the key its --service_jwks_file lists.
  std::string ServiceToken();

  /// Adds `authorization: Bearer <token>` (the bootstrap admin's, from a real Login, when
  /// empty) and a deadline.
  void Authorize(grpc::ClientContext& context, const std::string& token = "");

 private:
  testing::TestDatabase db_;
  std::string key_file_;
  std::optional<tests::ChildProcess> child_;
  std::optional<tests::ChildProcess> roles_;
  std::unique_ptr<pg::Pool> pool_;
  std::unique_ptr<v1::UsersService::Stub> stub_;
  std::unique_ptr<roles::v1::RolesService::Stub> roles_stub_;
  std::string admin_id_;
  std::string admin_token_;
  std::unique_ptr<auth::ServiceTokenSource> service_tokens_;
};

/// A context with a 30 s deadline.
void SetDeadline(grpc::ClientContext& context);

/// The BadRequest field paths in a status's details (empty when there are none).
std::vector<std::string> ViolatedFields(const grpc::Status& status);

}  // namespace backoffice::users::it
