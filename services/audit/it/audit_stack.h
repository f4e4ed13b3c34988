// Test fixture for black-box tests of the audit service: the real users_service (bootstrap admin
// admin@example.com), roles_service (which grants that admin `admin`, so audit:read and
// audit:export) and audit_service binaries on one fresh database of the shared test PostgreSQL.
// The audit service trusts one service-account key (kid "relay-test") through
// --service_jwks_file, and signs checkpoints with a key file; users and roles run their outbox
// relays with that key towards it.
//
//   AuditStack& stack = AuditStack::Shared();
//   grpc::ClientContext context;
//   AuditStack::Authorize(context, stack.ServiceToken("users"));
//   stack.audit().AppendEvents(&context, request, &response);
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "libs/jwt/key.h"
#include "libs/pg/pool.h"
#include "libs/testing/pg_server.h"
#include "proto/audit/v1/audit.grpc.pb.h"
#include "proto/users/v1/users.grpc.pb.h"
#include "tests/support/child_process.h"

namespace backoffice::audit::it {

class AuditStack {
 public:
  /// The stack for this test binary, started on first use (a few seconds).
  static AuditStack& Shared();
  ~AuditStack();

  v1::AuditService::Stub& audit() { return *audit_stub_; }
  users::v1::UsersService::Stub& users() { return *users_stub_; }
  const std::string& admin_token() const { return admin_token_; }
  /// A pool on the shared database, search_path audit, connected as the superuser.
  pg::Pool& pool() { return *pool_; }
  /// The database (for the relay tests' own schemas).
  const testing::TestDatabase& database() const { return db_; }
  /// The private key whose public half the audit service trusts for service tokens.
  const jwt::PrivateKey& service_key() const { return *service_key_; }
  /// The audit service's gRPC address.
  const std::string& audit_address() const { return audit_address_; }

  /// A service-account token for `service`, signed with service_key().
  std::string ServiceToken(const std::string& service) const;

  /// Creates an account with a password (no roles) and logs it in; returns its token.
  std::string CreateUserToken(const std::string& name);

  /// Adds `authorization: Bearer <token>` and a 30 s deadline.
  static void Authorize(grpc::ClientContext& context, const std::string& token);

  /// Everything a binary logged ("users", "roles", "audit").
  std::string Output(const std::string& which) const;

 private:
  AuditStack();
  std::string Start(const std::string& name, const std::string& binary,
                    std::vector<std::string> args);
  std::string Login(const std::string& email);

  testing::TestDatabase db_;
  std::vector<std::pair<std::string, tests::ChildProcess>> children_;
  std::unique_ptr<jwt::PrivateKey> service_key_;
  std::unique_ptr<users::v1::UsersService::Stub> users_stub_;
  std::unique_ptr<v1::AuditService::Stub> audit_stub_;
  std::unique_ptr<pg::Pool> pool_;
  std::string audit_address_;
  std::string admin_token_;
};

/// Writes `content` to a fresh file under $TEST_TMPDIR and returns its path.
std::string WriteTempFile(const std::string& name, const std::string& content);

}  // namespace backoffice::audit::it
