#include "services/roles/it/roles_stack.h"

#include <grpcpp/create_channel.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "libs/auth/service_token.h"
#include "libs/jwt/jwk.h"
#include "libs/jwt/key.h"
#include "tests/support/service_process.h"

namespace backoffice::roles::it {
namespace {

constexpr char kAdminEmail[] = "admin@example.com";
constexpr char kPassword[] = "correct horse battery staple 42";
constexpr char kServiceKeyId[] = "roles-it-services";

}  // namespace

RolesStack& RolesStack::Shared() {
  // Destroyed at exit before PgServer::Shared() (constructed after it), so the binaries stop
  // while their database still runs.
  static RolesStack stack;
  return stack;
}

RolesStack::RolesStack() {
  absl::StatusOr<testing::TestDatabase> db = testing::PgServer::Shared().CreateDatabase();
  REQUIRE(db.ok());
  db_ = *db;
  std::vector<std::string> db_flags = testing::DatabaseFlags(db_);
  db_flags.insert(db_flags.end(), {"--grpc_port=0", "--admin_port=0", "--db_pool_size=4"});
  absl::StatusOr<jwt::PrivateKey> service_key =
      jwt::PrivateKey::Generate(jwt::Algorithm::kEdDsa, kServiceKeyId);
  REQUIRE(service_key.ok());
  service_key_pem_ = *service_key->ToPem();
  std::vector<jwt::PublicKey> published;
  published.push_back(*service_key->GetPublicKey());
  std::string service_jwks = tests::WriteTempFile("services.jwks", *jwt::WriteJwks(published));
  // users asks replica A what its callers may do; A starts after it, on this port.
  int replica_a_port = tests::FreePort();
  std::vector<std::string> users_args = db_flags;
  users_args.push_back(absl::StrCat("--roles_address=127.0.0.1:", replica_a_port));
  users_args.push_back("--roles_deadline=30s");  // outcomes, not speed, under a loaded CI
  // users signs its own token with the key the replicas trust: it watches permission changes and
  // registers its permissions at start.
  users_args.push_back(absl::StrCat("--service_key_file=",
                                    tests::WriteTempFile("users-service.pem", service_key_pem_)));
  users_args.push_back(absl::StrCat("--service_key_id=", kServiceKeyId));
  users_args.push_back(
      absl::StrCat("--signing_key_encryption_key_file=",
                   tests::WriteTempFile("master.key", "0123456789abcdef0123456789abcdef")));
  users_args.push_back(absl::StrCat("--bootstrap_admin_email=", kAdminEmail));
  users_args.push_back(absl::StrCat("--bootstrap_admin_password_file=",
                                    tests::WriteTempFile("admin.password", kPassword)));
  std::string users_address = Start("users", "services/users/users_service", users_args);
  boost::json::object created = tests::FindLogLine(Output("users"), "bootstrap admin created");
  REQUIRE_FALSE(created.empty());
  admin_.id = std::string(created.at("user_id").as_string());
  admin_.email = kAdminEmail;
  users_stub_ = users::v1::UsersService::NewStub(
      grpc::CreateChannel(users_address, grpc::InsecureChannelCredentials()));

  for (const char* name : {"roles-a", "roles-b"}) {
    std::vector<std::string> args = db_flags;
    args.push_back(absl::StrCat("--users_address=", users_address));
    args.push_back(absl::StrCat("--service_jwks_file=", service_jwks));
    if (std::string(name) == "roles-a") {
      std::replace(args.begin(), args.end(), std::string("--grpc_port=0"),
                   absl::StrCat("--grpc_port=", replica_a_port));
    }
    args.push_back(absl::StrCat("--bootstrap_admin_user_id=", admin_.id));
    std::string address = Start(name, "services/roles/roles_service", args);
    roles_channels_.push_back(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
    roles_stubs_.push_back(v1::RolesService::NewStub(roles_channels_.back()));
  }
  admin_.token = Login(kAdminEmail);
}

RolesStack::~RolesStack() {
  for (auto& [name, child] : children_) {
    child.Signal(SIGTERM);
    child.WaitForExit(absl::Seconds(20));
  }
}

std::string RolesStack::Start(const std::string& name, const std::string& binary,
                              std::vector<std::string> args) {
  absl::StatusOr<tests::ChildProcess> child =
      tests::ChildProcess::Start(binary, args, tests::TestTempPath(name + ".log"));
  REQUIRE(child.ok());
  children_.emplace_back(name, *std::move(child));
  tests::ChildProcess& process = children_.back().second;
  boost::json::object started = tests::WaitForServiceStart(process, name);
  return std::string(started.at("grpc_address").as_string());
}

std::string RolesStack::ServiceToken(const std::string& service,
                                     const std::string& audience) const {
  absl::StatusOr<jwt::PrivateKey> key = jwt::PrivateKey::FromPem(service_key_pem_, kServiceKeyId);
  REQUIRE(key.ok());
  auth::ServiceTokenSource source(*std::move(key), {.service = service, .audience = audience});
  absl::StatusOr<std::string> token = source.Token(absl::Now());
  REQUIRE(token.ok());
  return *token;
}

std::string RolesStack::Output(const std::string& which) const {
  for (const auto& [name, child] : children_) {
    if (name == which) return child.Output();
  }
  return "";
}

void RolesStack::Authorize(grpc::ClientContext& context, const std::string& token) {
  if (!token.empty()) context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
}

std::string RolesStack::Login(const std::string& email) {
  grpc::ClientContext context;
  Authorize(context, "");
  users::v1::LoginRequest request;
  request.set_email(email);
  request.set_password(kPassword);
  request.mutable_client()->set_ip_address("192.0.2.10");
  request.mutable_client()->set_user_agent("roles-it");
  users::v1::LoginResponse response;
  grpc::Status status = users_stub_->Login(&context, request, &response);
  INFO(status.error_message());
  REQUIRE(status.ok());
  REQUIRE(response.has_tokens());
  return response.tokens().access_token();
}

TestUser RolesStack::CreateUser(const std::string& name) {
  grpc::ClientContext context;
  Authorize(context, admin_.token);
  users::v1::CreateUserRequest request;
  std::string email = absl::StrCat(name, "-", absl::ToUnixNanos(absl::Now()), "@example.com");
  request.mutable_user()->set_email(email);
  request.mutable_user()->set_display_name(name);
  request.set_password(kPassword);
  users::v1::User user;
  grpc::Status status = users_stub_->CreateUser(&context, request, &user);
  INFO(status.error_message());
  REQUIRE(status.ok());
  return TestUser{.id = user.id(), .email = email, .token = Login(email)};
}

}  // namespace backoffice::roles::it
