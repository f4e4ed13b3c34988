#include "services/audit/it/audit_stack.h"

#include <arpa/inet.h>
#include <grpcpp/create_channel.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "libs/auth/service_token.h"
#include "libs/jwt/jwk.h"
#include "tests/support/service_process.h"

namespace backoffice::audit::it {
namespace {

constexpr char kAdminEmail[] = "admin@example.com";
constexpr char kPassword[] = "correct horse battery staple 42";

// A port the OS had free a moment ago: the audit service's, which users and roles need before it
// starts (their outbox relays ship to it).

}  // namespace

AuditStack& AuditStack::Shared() {
  // Destroyed at exit before PgServer::Shared() (constructed after it).
  static AuditStack stack;
  return stack;
}

AuditStack::AuditStack() {
  absl::StatusOr<testing::TestDatabase> db = testing::PgServer::Shared().CreateDatabase();
  REQUIRE(db.ok());
  db_ = *db;
  std::vector<std::string> db_flags = testing::DatabaseFlags(db_);
  db_flags.insert(db_flags.end(), {"--grpc_port=0", "--admin_port=0", "--db_pool_size=4"});
  absl::StatusOr<jwt::PrivateKey> service_key =
      jwt::PrivateKey::Generate(jwt::Algorithm::kEdDsa, "relay-test");
  REQUIRE(service_key.ok());
  service_key_ = std::make_unique<jwt::PrivateKey>(*std::move(service_key));
  int audit_port = tests::FreePort();
  // users and roles run their outbox relays towards the audit service (started last).
  std::vector<std::string> relay_flags = {
      absl::StrCat("--audit_address=127.0.0.1:", audit_port),
      absl::StrCat("--outbox_relay_key_file=",
                   tests::WriteTempFile("relay.pem", *service_key_->ToPem())),
      "--outbox_relay_key_id=relay-test"};

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
                                    tests::WriteTempFile("admin.password", kPassword)));
  std::string users_address = Start("users", "services/users/users_service", users_args);
  boost::json::object created = tests::FindLogLine(Output("users"), "bootstrap admin created");
  REQUIRE_FALSE(created.empty());
  std::string admin_id(created.at("user_id").as_string());
  users_stub_ = users::v1::UsersService::NewStub(
      grpc::CreateChannel(users_address, grpc::InsecureChannelCredentials()));

  std::vector<std::string> roles_args = db_flags;
  roles_args.insert(roles_args.end(), relay_flags.begin(), relay_flags.end());
  roles_args.push_back(absl::StrCat("--users_address=", users_address));
  roles_args.push_back(absl::StrCat("--bootstrap_admin_user_id=", admin_id));
  std::replace(roles_args.begin(), roles_args.end(), std::string("--grpc_port=0"),
               absl::StrCat("--grpc_port=", roles_port));
  std::string roles_address = Start("roles", "services/roles/roles_service", roles_args);

  std::vector<jwt::PublicKey> published;
  published.push_back(*service_key_->GetPublicKey());
  absl::StatusOr<jwt::PrivateKey> checkpoint_key =
      jwt::PrivateKey::Generate(jwt::Algorithm::kEdDsa, "");
  REQUIRE(checkpoint_key.ok());

  std::vector<std::string> audit_args = db_flags;
  std::replace(audit_args.begin(), audit_args.end(), std::string("--grpc_port=0"),
               absl::StrCat("--grpc_port=", audit_port));
  audit_args.push_back(absl::StrCat("--users_address=", users_address));
  audit_args.push_back(absl::StrCat("--roles_address=", roles_address));
  audit_args.push_back(absl::StrCat(
      "--service_jwks_file=", tests::WriteTempFile("services.jwks", *jwt::WriteJwks(published))));
  audit_args.push_back(absl::StrCat(
      "--checkpoint_key_file=", tests::WriteTempFile("checkpoint.pem", *checkpoint_key->ToPem())));
  audit_address_ = Start("audit", "services/audit/audit_service", audit_args);
  audit_stub_ = v1::AuditService::NewStub(
      grpc::CreateChannel(audit_address_, grpc::InsecureChannelCredentials()));

  pg::ConnectionOptions options = db_.options();
  options.search_path = "audit";
  absl::StatusOr<std::unique_ptr<pg::Pool>> pool =
      pg::Pool::Create({.connection = options, .max_size = 2});
  REQUIRE(pool.ok());
  pool_ = *std::move(pool);
  admin_token_ = Login(kAdminEmail);
}

AuditStack::~AuditStack() {
  for (auto& [name, child] : children_) {
    child.Signal(SIGTERM);
    child.WaitForExit(absl::Seconds(20));
  }
}

std::string AuditStack::Start(const std::string& name, const std::string& binary,
                              std::vector<std::string> args) {
  absl::StatusOr<tests::ChildProcess> child =
      tests::ChildProcess::Start(binary, args, tests::TestTempPath(name + ".log"));
  REQUIRE(child.ok());
  children_.emplace_back(name, *std::move(child));
  tests::ChildProcess& process = children_.back().second;
  boost::json::object started = tests::WaitForServiceStart(process, name);
  return std::string(started.at("grpc_address").as_string());
}

std::string AuditStack::Output(const std::string& which) const {
  for (const auto& [name, child] : children_) {
    if (name == which) return child.Output();
  }
  return "";
}

void AuditStack::Authorize(grpc::ClientContext& context, const std::string& token) {
  if (!token.empty()) context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
}

std::string AuditStack::ServiceToken(const std::string& service) const {
  absl::StatusOr<jwt::PrivateKey> key =
      jwt::PrivateKey::FromPem(*service_key_->ToPem(), "relay-test");
  REQUIRE(key.ok());
  auth::ServiceTokenSource source(*std::move(key), {.service = service});
  absl::StatusOr<std::string> token = source.Token(absl::Now());
  REQUIRE(token.ok());
  return *token;
}

std::string AuditStack::Login(const std::string& email) {
  grpc::ClientContext context;
  Authorize(context, "");
  users::v1::LoginRequest request;
  request.set_email(email);
  request.set_password(kPassword);
  request.mutable_client()->set_ip_address("192.0.2.10");
  request.mutable_client()->set_user_agent("audit-it");
  users::v1::LoginResponse response;
  grpc::Status status = users_stub_->Login(&context, request, &response);
  INFO(status.error_message());
  REQUIRE(status.ok());
  REQUIRE(response.has_tokens());
  return response.tokens().access_token();
}

std::string AuditStack::CreateUserToken(const std::string& name) {
  grpc::ClientContext context;
  Authorize(context, admin_token_);
  users::v1::CreateUserRequest request;
  std::string email = absl::StrCat(name, "-", absl::ToUnixNanos(absl::Now()), "@example.com");
  request.mutable_user()->set_email(email);
  request.mutable_user()->set_display_name(name);
  request.set_password(kPassword);
  users::v1::User user;
  grpc::Status status = users_stub_->CreateUser(&context, request, &user);
  INFO(status.error_message());
  REQUIRE(status.ok());
  return Login(email);
}

}  // namespace backoffice::audit::it
