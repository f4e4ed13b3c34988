// The stack the BFF's end-to-end tests drive: a fresh database on the shared test PostgreSQL,
// the real users_service (bootstrap admin), the real roles_service (the admin holds `admin`;
// it trusts the BFF's service key), the real audit_service (users and roles relay their outbox
// events to it) and the real bff binary in front of them (authorizing every route through the
// roles service, watching permission changes with that key), all on loopback ports the OS picked.
//
//   Stack stack;                                    // starts users, roles, bff; waits until ready
//   TestHttpClient http(stack.bff_port());
//   auto login = http.Request("POST", "/api/auth/login", {...}, R"({"email":...})");
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "libs/testing/pg_server.h"
#include "tests/support/child_process.h"

namespace backoffice::bff::it {

inline constexpr char kAdminEmail[] = "admin@example.com";
inline constexpr char kAdminPassword[] = "correct horse battery staple 42";

struct StackOptions {
  /// Extra flags of the bff.
  std::vector<std::string> bff_flags;
  /// Extra flags of the users, roles and audit services (e.g. the BFF's --oidc_issuer, so that
  /// they trust the same external issuers).
  std::vector<std::string> service_flags;
  /// Give the BFF its service key (it then caches permissions, kept exact by the watch).
  bool watch_permissions = true;
};

class Stack {
 public:
  /// Starts users, roles, audit and bff and waits until the BFF's /readyz is 200.
  explicit Stack(StackOptions options = {});
  ~Stack();

  int bff_port() const { return bff_port_; }
  const std::string& users_address() const { return users_address_; }
  const std::string& roles_address() const { return roles_address_; }
  const std::string& audit_address() const { return audit_address_; }
  const std::string& admin_id() const { return admin_id_; }
  /// Everything the BFF logged so far.
  std::string BffOutput() const { return bff_->Output(); }

  /// Stops the users service (SIGTERM).
  void StopUsers();
  /// Freezes the users service (SIGSTOP): its connections stay open but nothing answers, as
  /// with a hung process or a lost node. ThawUsers resumes it (SIGCONT).
  void FreezeUsers();
  void ThawUsers();
  /// Stops the roles service (SIGTERM).
  void StopRoles();
  /// Stops the audit service (SIGTERM); StartAudit starts it again, same port and database.
  void StopAudit();
  void StartAudit();

 private:
  backoffice::testing::TestDatabase db_;
  std::unique_ptr<tests::ChildProcess> users_;
  std::unique_ptr<tests::ChildProcess> roles_;
  std::unique_ptr<tests::ChildProcess> audit_;
  std::unique_ptr<tests::ChildProcess> bff_;
  std::string users_address_;
  std::string roles_address_;
  std::string audit_address_;
  std::vector<std::string> audit_args_;
  std::string admin_id_;
  int bff_port_ = 0;
};

}  // namespace backoffice::bff::it
