#include "services/users/it/users_binary.h"

#include <grpcpp/create_channel.h>
#include <signal.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "libs/jwt/jwk.h"
#include "libs/jwt/key.h"
#include "proto/common/v1/error_details.pb.h"
#include "tests/support/service_process.h"

namespace backoffice::users::it {
namespace {

// A fixed 32-byte master key for the binary's signing keys.
const std::string& MasterKey() {
  static const std::string* key = new std::string("0123456789abcdef0123456789abcdef");
  return *key;
}

}  // namespace

void SetDeadline(grpc::ClientContext& context) {
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
}

std::vector<std::string> ViolatedFields(const grpc::Status& status) {
  std::vector<std::string> fields;
  common::v1::Status details;
  if (!details.ParseFromString(status.error_details())) {
    return fields;
  }
  for (const google::protobuf::Any& any : details.details()) {
    common::v1::BadRequest bad_request;
    if (any.UnpackTo(&bad_request)) {
      for (const auto& violation : bad_request.field_violations()) {
        fields.push_back(violation.field());
      }
    }
  }
  return fields;
}

UsersBinary::UsersBinary(std::vector<std::string> extra_flags) {
  absl::StatusOr<testing::TestDatabase> db = testing::PgServer::Shared().CreateDatabase();
  REQUIRE(db.ok());
  db_ = *db;
  key_file_ = tests::WriteTempFile("master.key", MasterKey());
  std::string password_file = tests::WriteTempFile("admin.password", kAdminPassword);
  absl::StatusOr<jwt::PrivateKey> service_key =
      jwt::PrivateKey::Generate(jwt::Algorithm::kEdDsa, "users-it-bff");
  REQUIRE(service_key.ok());
  std::vector<jwt::PublicKey> published;
  published.push_back(*service_key->GetPublicKey());
  std::string service_jwks = tests::WriteTempFile("services.jwks", *jwt::WriteJwks(published));
  service_tokens_ = std::make_unique<auth::ServiceTokenSource>(
      *std::move(service_key),
      auth::ServiceTokenOptions{.service = "bff", .audience = "backoffice-users"});
  // The users service's own key (as ./dev and the BFF stack give it one): it registers its
  // permissions, watches permission changes, and asks who holds admin before DeleteUser and
  // DisableUser. The roles service trusts it through --service_jwks_file.
  absl::StatusOr<jwt::PrivateKey> own_key =
      jwt::PrivateKey::Generate(jwt::Algorithm::kEdDsa, "users-it-users");
  REQUIRE(own_key.ok());
  std::vector<jwt::PublicKey> own_published;
  own_published.push_back(*own_key->GetPublicKey());
  std::string roles_jwks =
      tests::WriteTempFile("roles-services.jwks", *jwt::WriteJwks(own_published));
  std::string own_key_file = tests::WriteTempFile("users-service.pem", *own_key->ToPem());
  std::vector<std::string> db_flags = testing::DatabaseFlags(db_);
  db_flags.insert(db_flags.end(), {"--admin_port=0", "--db_pool_size=4"});
  // The roles service decides what callers may do; it starts after users, on this port.
  int roles_port = tests::FreePort();
  std::vector<std::string> args = db_flags;
  args.insert(args.end(), {"--grpc_port=0", absl::StrCat("--roles_address=127.0.0.1:", roles_port),
                           "--roles_deadline=30s",  // outcomes, not speed, on a loaded CI
                           absl::StrCat("--signing_key_encryption_key_file=", key_file_),
                           absl::StrCat("--bootstrap_admin_email=", kAdminEmail),
                           absl::StrCat("--bootstrap_admin_password_file=", password_file),
                           absl::StrCat("--service_jwks_file=", service_jwks),
                           absl::StrCat("--service_key_file=", own_key_file),
                           "--service_key_id=users-it-users"});
  args.insert(args.end(), extra_flags.begin(), extra_flags.end());
  absl::StatusOr<tests::ChildProcess> child = tests::ChildProcess::Start(
      "services/users/users_service", args, tests::TestTempPath("users.log"));
  REQUIRE(child.ok());
  child_.emplace(*std::move(child));

  boost::json::object started = tests::WaitForServiceStart(*child_, "users_service");
  std::string address(started.at("grpc_address").as_string());
  stub_ =
      v1::UsersService::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));

  boost::json::object created = tests::FindLogLine(child_->Output(), "bootstrap admin created");
  REQUIRE_FALSE(created.empty());
  admin_id_ = std::string(created.at("user_id").as_string());

  std::vector<std::string> roles_args = db_flags;
  roles_args.push_back(absl::StrCat("--grpc_port=", roles_port));
  roles_args.push_back(absl::StrCat("--users_address=", address));
  roles_args.push_back(absl::StrCat("--bootstrap_admin_user_id=", admin_id_));
  roles_args.push_back(absl::StrCat("--service_jwks_file=", roles_jwks));
  absl::StatusOr<tests::ChildProcess> roles = tests::ChildProcess::Start(
      "services/roles/roles_service", roles_args, tests::TestTempPath("roles.log"));
  REQUIRE(roles.ok());
  roles_.emplace(*std::move(roles));
  boost::json::object roles_started = tests::WaitForServiceStart(*roles_, "roles_service");
  roles_stub_ = roles::v1::RolesService::NewStub(
      grpc::CreateChannel(std::string(roles_started.at("grpc_address").as_string()),
                          grpc::InsecureChannelCredentials()));

  pg::PoolOptions pool_options;
  pool_options.connection = db_.options();
  pool_options.connection.search_path = "users";
  pool_options.max_size = 2;
  absl::StatusOr<std::unique_ptr<pg::Pool>> pool = pg::Pool::Create(pool_options);
  REQUIRE(pool.ok());
  pool_ = *std::move(pool);
  admin_token_ = LoginOk(kAdminEmail, kAdminPassword).tokens().access_token();
}

UsersBinary::~UsersBinary() {
  for (std::optional<tests::ChildProcess>* child : {&child_, &roles_}) {
    if (child->has_value()) {
      (*child)->Signal(SIGTERM);
      (*child)->WaitForExit(absl::Seconds(20));
    }
  }
}

v1::LoginResponse UsersBinary::LoginOk(const std::string& email, const std::string& password) {
  grpc::ClientContext context;
  SetDeadline(context);
  v1::LoginRequest request;
  request.set_email(email);
  request.set_password(password);
  request.mutable_client()->set_ip_address("192.0.2.10");
  request.mutable_client()->set_user_agent("users-it");
  v1::LoginResponse response;
  grpc::Status status = stub_->Login(&context, request, &response);
  INFO(status.error_message());
  REQUIRE(status.ok());
  REQUIRE(response.has_tokens());
  return response;
}

std::optional<int> UsersBinary::Terminate() {
  child_->Signal(SIGTERM);
  return child_->WaitForExit(absl::Seconds(20));
}

std::string UsersBinary::ServiceToken() {
  absl::StatusOr<std::string> token = service_tokens_->Token(absl::Now());
  REQUIRE(token.ok());
  return *token;
}

void UsersBinary::Authorize(grpc::ClientContext& context, const std::string& token) {
  context.AddMetadata("authorization",
                      absl::StrCat("Bearer ", token.empty() ? admin_token_ : token));
  SetDeadline(context);
}

}  // namespace backoffice::users::it
