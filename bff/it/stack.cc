#include "bff/it/stack.h"

#include <signal.h>

#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <csignal>
#include <thread>

#include "absl/strings/str_cat.h"
#include "bff/testing/http_client.h"
#include "libs/jwt/jwk.h"
#include "libs/jwt/key.h"
#include "tests/support/service_process.h"

namespace backoffice::bff::it {
namespace {

constexpr char kBffKeyId[] = "bff-e2e";
constexpr char kUsersKeyId[] = "users-e2e";
constexpr char kRelayKeyId[] = "relay-e2e";

std::unique_ptr<tests::ChildProcess> Start(const std::string& binary, std::vector<std::string> args,
                                           const std::string& name) {
  absl::StatusOr<tests::ChildProcess> child =
      tests::ChildProcess::Start(binary, std::move(args), tests::TestTempPath(name + ".log"));
  REQUIRE(child.ok());
  return std::make_unique<tests::ChildProcess>(*std::move(child));
}

void StopChild(std::unique_ptr<tests::ChildProcess>& child) {
  if (child == nullptr) return;
  child->Signal(SIGTERM);
  child->WaitForExit(absl::Seconds(20));
  child.reset();
}

}  // namespace

Stack::Stack(StackOptions options) {
  absl::StatusOr<backoffice::testing::TestDatabase> db =
      backoffice::testing::PgServer::Shared().CreateDatabase();
  REQUIRE(db.ok());
  db_ = *db;
  std::vector<std::string> db_flags = backoffice::testing::DatabaseFlags(db_);
  db_flags.insert(db_flags.end(), {"--grpc_port=0", "--admin_port=0", "--db_pool_size=4"});

  // users and roles ship their outbox events to the audit service (started after them, on this
  // port), signing with one relay key that the audit service trusts.
  int audit_port = tests::FreePort();
  absl::StatusOr<jwt::PrivateKey> relay_key =
      jwt::PrivateKey::Generate(jwt::Algorithm::kEdDsa, kRelayKeyId);
  REQUIRE(relay_key.ok());
  std::vector<std::string> relay_flags = {
      absl::StrCat("--audit_address=127.0.0.1:", audit_port),
      absl::StrCat("--outbox_relay_key_file=",
                   tests::WriteTempFile("relay.pem", *relay_key->ToPem())),
      absl::StrCat("--outbox_relay_key_id=", kRelayKeyId)};

  // The BFF's service key: roles trusts it for WatchPermissionChanges, users for WatchUserChanges.
  absl::StatusOr<jwt::PrivateKey> bff_key =
      jwt::PrivateKey::Generate(jwt::Algorithm::kEdDsa, kBffKeyId);
  REQUIRE(bff_key.ok());
  std::vector<jwt::PublicKey> published;
  published.push_back(*bff_key->GetPublicKey());
  std::string services_jwks = tests::WriteTempFile("services.jwks", *jwt::WriteJwks(published));
  // The users service's own key, trusted by roles (with the BFF's), as ./dev gives it one: users
  // registers its permissions, watches permission changes and asks roles who holds admin before
  // an account is deleted or disabled (the last-admin rule is off without it).
  absl::StatusOr<jwt::PrivateKey> users_key =
      jwt::PrivateKey::Generate(jwt::Algorithm::kEdDsa, kUsersKeyId);
  REQUIRE(users_key.ok());
  published.push_back(*users_key->GetPublicKey());
  std::string roles_jwks = tests::WriteTempFile("roles-services.jwks", *jwt::WriteJwks(published));

  // users asks roles what its callers may do; roles starts after it, on this port.
  int roles_port = tests::FreePort();
  std::vector<std::string> users_args = db_flags;
  users_args.insert(users_args.end(), relay_flags.begin(), relay_flags.end());
  users_args.push_back(absl::StrCat("--roles_address=127.0.0.1:", roles_port));
  users_args.push_back("--roles_deadline=30s");  // outcomes, not speed, under a loaded CI
  users_args.push_back(
      absl::StrCat("--signing_key_encryption_key_file=",
                   tests::WriteTempFile("master.key", "0123456789abcdef0123456789abcdef")));
  users_args.push_back(absl::StrCat("--bootstrap_admin_email=", kAdminEmail));
  users_args.push_back(absl::StrCat("--bootstrap_admin_password_file=",
                                    tests::WriteTempFile("admin.password", kAdminPassword)));
  users_args.push_back(absl::StrCat("--service_jwks_file=", services_jwks));
  users_args.push_back(
      absl::StrCat("--service_key_file=", tests::WriteTempFile("users.pem", *users_key->ToPem())));
  users_args.push_back(absl::StrCat("--service_key_id=", kUsersKeyId));
  users_args.insert(users_args.end(), options.service_flags.begin(), options.service_flags.end());
  users_ = Start("services/users/users_service", users_args, "users");
  users_address_ =
      std::string(tests::WaitForServiceStart(*users_, "users").at("grpc_address").as_string());
  admin_id_ = std::string(
      tests::WaitForLogLine(*users_, "users", "bootstrap admin created").at("user_id").as_string());

  std::vector<std::string> roles_args = db_flags;
  roles_args.insert(roles_args.end(), relay_flags.begin(), relay_flags.end());
  std::replace(roles_args.begin(), roles_args.end(), std::string("--grpc_port=0"),
               absl::StrCat("--grpc_port=", roles_port));
  roles_args.push_back(absl::StrCat("--users_address=", users_address_));
  roles_args.push_back(absl::StrCat("--bootstrap_admin_user_id=", admin_id_));
  roles_args.push_back(absl::StrCat("--service_jwks_file=", roles_jwks));
  roles_args.insert(roles_args.end(), options.service_flags.begin(), options.service_flags.end());
  roles_ = Start("services/roles/roles_service", roles_args, "roles");
  roles_address_ =
      std::string(tests::WaitForServiceStart(*roles_, "roles").at("grpc_address").as_string());

  // audit: users' tokens from users, audit:read / audit:export from roles, appends from the relays.
  std::vector<jwt::PublicKey> relay_keys;
  relay_keys.push_back(*relay_key->GetPublicKey());
  absl::StatusOr<jwt::PrivateKey> checkpoint_key =
      jwt::PrivateKey::Generate(jwt::Algorithm::kEdDsa, "");
  REQUIRE(checkpoint_key.ok());
  std::vector<std::string> audit_args = db_flags;
  std::replace(audit_args.begin(), audit_args.end(), std::string("--grpc_port=0"),
               absl::StrCat("--grpc_port=", audit_port));
  audit_args.push_back(absl::StrCat("--users_address=", users_address_));
  audit_args.push_back(absl::StrCat("--roles_address=", roles_address_));
  audit_args.push_back(absl::StrCat(
      "--service_jwks_file=", tests::WriteTempFile("relays.jwks", *jwt::WriteJwks(relay_keys))));
  audit_args.push_back(absl::StrCat(
      "--checkpoint_key_file=", tests::WriteTempFile("checkpoint.pem", *checkpoint_key->ToPem())));
  audit_args.insert(audit_args.end(), options.service_flags.begin(), options.service_flags.end());
  audit_args_ = audit_args;
  audit_ = Start("services/audit/audit_service", audit_args, "audit");
  audit_address_ =
      std::string(tests::WaitForServiceStart(*audit_, "audit").at("grpc_address").as_string());

  std::vector<std::string> bff_args = {
      "--port=0", absl::StrCat("--users_address=", users_address_),
      absl::StrCat("--roles_address=", roles_address_),
      absl::StrCat("--audit_address=", audit_address_), "--required_services=users,roles",
      // Tests assert outcomes, not speed: a loaded CI machine
      // must not turn a slow answer into a 504.
      "--downstream_deadline=30s", "--static_dir=", "--login_rate_per_address=100",
      "--login_burst_per_address=100", "--rate_per_address=10000", "--burst_per_address=10000",
      "--rate_per_user=10000", "--burst_per_user=10000"};
  if (options.watch_permissions) {
    bff_args.push_back(
        absl::StrCat("--service_key_file=", tests::WriteTempFile("bff.pem", *bff_key->ToPem())));
    bff_args.push_back(absl::StrCat("--service_key_id=", kBffKeyId));
  }
  bff_args.insert(bff_args.end(), options.bff_flags.begin(), options.bff_flags.end());
  bff_ = Start("bff/bff", bff_args, "bff");
  boost::json::object listening = tests::WaitForLogLine(*bff_, "bff", "bff listening");
  bff_port_ = static_cast<int>(listening.at("port").to_number<int64_t>());
  int status = 0;
  for (int i = 0; i < 1000 && status != 200; ++i) {
    std::optional<bff::testing::TestResponse> ready = bff::testing::GetOnce(bff_port_, "/readyz");
    status = ready.has_value() ? ready->status : 0;
    if (status != 200) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  INFO(bff_->Output());
  REQUIRE(status == 200);
}

Stack::~Stack() {
  StopChild(bff_);
  StopChild(audit_);
  StopChild(roles_);
  StopChild(users_);
}

void Stack::StopUsers() { StopChild(users_); }

void Stack::FreezeUsers() { users_->Signal(SIGSTOP); }

void Stack::ThawUsers() { users_->Signal(SIGCONT); }

void Stack::StopRoles() { StopChild(roles_); }

void Stack::StopAudit() { StopChild(audit_); }

void Stack::StartAudit() {
  StopChild(audit_);
  audit_ = Start("services/audit/audit_service", audit_args_, "audit-again");
  tests::WaitForServiceStart(*audit_, "audit");
}

}  // namespace backoffice::bff::it
