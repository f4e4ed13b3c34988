// Sign-in on the real binary over real gRPC: login, the access token on other calls, refresh
// with rotation and reuse detection, logout, no account enumeration, sessions, passwords,
// lockout and key rotation.
#include <catch2/catch.hpp>

#include "proto/common/v1/error_details.pb.h"
#include "services/users/it/users_binary.h"

namespace backoffice::users::it {
namespace {

std::string ErrorReason(const grpc::Status& status) {
  common::v1::Status details;
  if (!details.ParseFromString(status.error_details())) {
    return "";
  }
  for (const google::protobuf::Any& any : details.details()) {
    common::v1::ErrorInfo info;
    if (any.UnpackTo(&info)) {
      return info.reason();
    }
  }
  return "";
}

grpc::Status Login(UsersBinary& users, const std::string& email, const std::string& password,
                   v1::LoginResponse* response) {
  grpc::ClientContext context;
  SetDeadline(context);
  v1::LoginRequest request;
  request.set_email(email);
  request.set_password(password);
  return users.stub().Login(&context, request, response);
}

grpc::Status Refresh(UsersBinary& users, const std::string& refresh_token, v1::TokenPair* out) {
  grpc::ClientContext context;
  SetDeadline(context);
  v1::RefreshRequest request;
  request.set_refresh_token(refresh_token);
  return users.stub().Refresh(&context, request, out);
}

grpc::Status GetSelf(UsersBinary& users, const std::string& token, const std::string& id) {
  grpc::ClientContext context;
  users.Authorize(context, token);
  v1::GetUserRequest request;
  request.set_id(id);
  v1::User user;
  return users.stub().GetUser(&context, request, &user);
}

TEST_CASE("login, the access token, refresh with reuse detection, logout") {
  UsersBinary users;
  v1::LoginResponse login = users.LoginOk(kAdminEmail, kAdminPassword);
  CHECK(login.tokens().token_type() == "Bearer");
  CHECK(login.tokens().access_token_expires_in().seconds() == 15 * 60);
  CHECK(login.tokens().refresh_token().rfind("rt_", 0) == 0);
  CHECK(login.user().id() == users.admin_id());
  CHECK(login.user().has_last_login_time());
  CHECK_FALSE(login.session_id().empty());
  REQUIRE(GetSelf(users, login.tokens().access_token(), users.admin_id()).ok());

  // Refresh rotates: the new pair works, the old refresh token is reuse and kills the session.
  v1::TokenPair refreshed;
  REQUIRE(Refresh(users, login.tokens().refresh_token(), &refreshed).ok());
  CHECK(refreshed.refresh_token() != login.tokens().refresh_token());
  CHECK(GetSelf(users, refreshed.access_token(), users.admin_id()).ok());
  v1::TokenPair ignored;
  grpc::Status reused = Refresh(users, login.tokens().refresh_token(), &ignored);
  CHECK(reused.error_code() == grpc::StatusCode::UNAUTHENTICATED);
  CHECK(ErrorReason(reused) == "REFRESH_TOKEN_REUSED");
  CHECK(Refresh(users, refreshed.refresh_token(), &ignored).error_code() ==
        grpc::StatusCode::UNAUTHENTICATED);

  // Logout ends the session: its refresh token no longer works; a second logout is fine.
  v1::LoginResponse second = users.LoginOk(kAdminEmail, kAdminPassword);
  {
    grpc::ClientContext context;
    users.Authorize(context, second.tokens().access_token());
    v1::ListSessionsResponse sessions;
    REQUIRE(users.stub().ListSessions(&context, v1::ListSessionsRequest(), &sessions).ok());
    bool found_current = false;
    for (const v1::Session& session : sessions.sessions()) {
      if (session.id() == second.session_id()) {
        found_current = session.current();
      }
    }
    CHECK(found_current);
  }
  for (int i = 0; i < 2; ++i) {
    grpc::ClientContext context;
    users.Authorize(context, second.tokens().access_token());
    v1::LogoutRequest request;
    request.set_refresh_token(second.tokens().refresh_token());
    google::protobuf::Empty empty;
    REQUIRE(users.stub().Logout(&context, request, &empty).ok());
  }
  CHECK(Refresh(users, second.tokens().refresh_token(), &ignored).error_code() ==
        grpc::StatusCode::UNAUTHENTICATED);
}

TEST_CASE("a wrong password and an unknown email answer the same") {
  UsersBinary users;
  v1::LoginResponse response;
  grpc::Status wrong = Login(users, kAdminEmail, "not the right password at all", &response);
  grpc::Status unknown =
      Login(users, "nobody@example.com", "not the right password at all", &response);
  CHECK(wrong.error_code() == grpc::StatusCode::UNAUTHENTICATED);
  CHECK(unknown.error_code() == wrong.error_code());
  CHECK(unknown.error_message() == wrong.error_message());
  CHECK(unknown.error_details() == wrong.error_details());
  CHECK(wrong.error_message() == "invalid email or password");

  // The admin sees the failure on the account and can clear it.
  grpc::ClientContext context;
  users.Authorize(context);
  v1::GetLockoutRequest request;
  request.set_user_id(users.admin_id());
  v1::Lockout lockout;
  REQUIRE(users.stub().GetLockout(&context, request, &lockout).ok());
  CHECK(lockout.failed_attempts() == 1);
  CHECK_FALSE(lockout.locked());
  grpc::ClientContext unlock_context;
  users.Authorize(unlock_context);
  v1::UnlockRequest unlock;
  unlock.set_user_id(users.admin_id());
  REQUIRE(users.stub().Unlock(&unlock_context, unlock, &lockout).ok());
  CHECK(lockout.failed_attempts() == 0);
}

TEST_CASE("repeated failures lock the account with ErrorInfo and RetryInfo; Unlock clears it") {
  UsersBinary users;
  v1::LoginResponse response;
  for (int i = 0; i < 5; ++i) {
    CHECK(Login(users, kAdminEmail, "not the right password at all", &response).error_code() ==
          grpc::StatusCode::UNAUTHENTICATED);
  }
  grpc::Status locked = Login(users, kAdminEmail, kAdminPassword, &response);
  CHECK(locked.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  CHECK(ErrorReason(locked) == "ACCOUNT_LOCKED");
  common::v1::Status details;
  REQUIRE(details.ParseFromString(locked.error_details()));
  int64_t retry_seconds = 0;
  for (const google::protobuf::Any& any : details.details()) {
    common::v1::RetryInfo retry;
    if (any.UnpackTo(&retry)) {
      retry_seconds = retry.retry_delay().seconds();
    }
  }
  CHECK(retry_seconds > 0);
  CHECK(retry_seconds <= 15 * 60);

  // The admin's earlier token still works for the lockout calls.
  grpc::ClientContext context;
  users.Authorize(context);
  v1::UnlockRequest unlock;
  unlock.set_user_id(users.admin_id());
  v1::Lockout lockout;
  REQUIRE(users.stub().Unlock(&context, unlock, &lockout).ok());
  CHECK_FALSE(lockout.locked());
  users.LoginOk(kAdminEmail, kAdminPassword);
}

TEST_CASE("passwords: an admin sets one, the user logs in and changes it") {
  UsersBinary users;
  v1::User bob;
  {
    grpc::ClientContext context;
    users.Authorize(context);
    v1::CreateUserRequest request;
    request.mutable_user()->set_email("bob@example.com");
    REQUIRE(users.stub().CreateUser(&context, request, &bob).ok());
    CHECK_FALSE(bob.password_set());
  }
  v1::LoginResponse response;
  CHECK(Login(users, "bob@example.com", "anything at all, long", &response).error_code() ==
        grpc::StatusCode::UNAUTHENTICATED);
  {
    grpc::ClientContext context;
    users.Authorize(context);
    v1::SetPasswordRequest request;
    request.set_user_id(bob.id());
    request.set_new_password("short");
    google::protobuf::Empty empty;
    grpc::Status weak = users.stub().SetPassword(&context, request, &empty);
    CHECK(weak.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(ViolatedFields(weak) == std::vector<std::string>{"new_password"});
  }
  {
    grpc::ClientContext context;
    users.Authorize(context);
    v1::SetPasswordRequest request;
    request.set_user_id(bob.id());
    request.set_new_password("bobs first good passphrase");
    google::protobuf::Empty empty;
    REQUIRE(users.stub().SetPassword(&context, request, &empty).ok());
  }
  v1::LoginResponse bob_login = users.LoginOk("bob@example.com", "bobs first good passphrase");
  CHECK(bob_login.user().id() == bob.id());
  {
    grpc::ClientContext context;
    users.Authorize(context, bob_login.tokens().access_token());
    v1::ChangePasswordRequest request;
    request.set_current_password("bobs first good passphrase");
    request.set_new_password("bobs second good passphrase");
    google::protobuf::Empty empty;
    grpc::Status changed = users.stub().ChangePassword(&context, request, &empty);
    INFO(changed.error_message());
    REQUIRE(changed.ok());
  }
  CHECK(Login(users, "bob@example.com", "bobs first good passphrase", &response).error_code() ==
        grpc::StatusCode::UNAUTHENTICATED);
  users.LoginOk("bob@example.com", "bobs second good passphrase");
}

TEST_CASE("key rotation: a new key is published; tokens of the old key still verify") {
  UsersBinary users;
  v1::LoginResponse before = users.LoginOk(kAdminEmail, kAdminPassword);
  grpc::ClientContext context;
  users.Authorize(context);
  v1::RotateSigningKeyRequest request;
  request.mutable_activation_delay()->set_seconds(0);
  v1::RotateSigningKeyResponse rotated;
  grpc::Status status = users.stub().RotateSigningKey(&context, request, &rotated);
  INFO(status.error_message());
  REQUIRE(status.ok());
  CHECK(rotated.key().state() == v1::SIGNING_KEY_STATE_ACTIVE);
  CHECK(rotated.keys_size() == 2);

  grpc::ClientContext jwks_context;
  SetDeadline(jwks_context);
  v1::GetJwksResponse jwks;
  REQUIRE(users.stub().GetJwks(&jwks_context, v1::GetJwksRequest(), &jwks).ok());
  CHECK(jwks.keys_size() == 2);
  CHECK(GetSelf(users, before.tokens().access_token(), users.admin_id()).ok());
  v1::LoginResponse after = users.LoginOk(kAdminEmail, kAdminPassword);
  CHECK(GetSelf(users, after.tokens().access_token(), users.admin_id()).ok());
}

}  // namespace
}  // namespace backoffice::users::it
