// Test fixture for black-box tests of the roles service: the real users_service (bootstrap admin
// admin@example.com) and two replicas of the real roles_service (A and B, `--users_address`
// pointing at it, `--bootstrap_admin_user_id` the users service's bootstrap admin) on one fresh
// database of the shared test PostgreSQL, each service in its own schema. Both replicas trust
// one service-account key (--service_jwks_file), so tests can call as a service.
//
//   RolesStack& stack = RolesStack::Shared();
//   grpc::ClientContext context;
//   stack.Authorize(context, stack.admin_token());
//   stack.replica(0).CheckPermission(&context, request, &response);
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "libs/testing/pg_server.h"
#include "proto/roles/v1/roles.grpc.pb.h"
#include "proto/users/v1/users.grpc.pb.h"
#include "tests/support/child_process.h"

namespace backoffice::roles::it {

/// A users-service account with a fresh access token.
struct TestUser {
  std::string id;
  std::string email;
  std::string token;
};

class RolesStack {
 public:
  /// The stack for this test binary, started on first use (a few seconds).
  static RolesStack& Shared();
  ~RolesStack();

  users::v1::UsersService::Stub& users() { return *users_stub_; }
  /// Replica 0 (A) or 1 (B).
  v1::RolesService::Stub& replica(int index) { return *roles_stubs_.at(index); }
  std::shared_ptr<grpc::Channel> replica_channel(int index) const {
    return roles_channels_.at(index);
  }
  const std::string& admin_id() const { return admin_.id; }
  const std::string& admin_token() const { return admin_.token; }

  /// Creates an account with a password through the users service and logs it in.
  TestUser CreateUser(const std::string& name);

  /// Logs an account made by CreateUser in again: a fresh access token (a deleted or disabled
  /// account's sessions were revoked).
  std::string Login(const std::string& email);

  /// A service-account token for "service:<service>", signed by the key the replicas trust.
  std::string ServiceToken(const std::string& service,
                           const std::string& audience = "backoffice-roles") const;

  /// Adds `authorization: Bearer <token>` and a 30 s deadline.
  static void Authorize(grpc::ClientContext& context, const std::string& token);

  /// Everything a binary logged ("users", "roles-a", "roles-b").
  std::string Output(const std::string& which) const;

 private:
  RolesStack();
  std::string Start(const std::string& name, const std::string& binary,
                    std::vector<std::string> args);

  testing::TestDatabase db_;
  std::vector<std::pair<std::string, tests::ChildProcess>> children_;
  std::unique_ptr<users::v1::UsersService::Stub> users_stub_;
  std::vector<std::shared_ptr<grpc::Channel>> roles_channels_;
  std::vector<std::unique_ptr<v1::RolesService::Stub>> roles_stubs_;
  TestUser admin_;
  std::string service_key_pem_;
};

}  // namespace backoffice::roles::it
