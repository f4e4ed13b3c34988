#include "services/users/auth/credential_manager.h"

#include <catch2/catch.hpp>

#include "services/users/auth/auth_stack_test_util.h"
#include "services/users/credentials/base32.h"

namespace backoffice::users {
namespace {

using testing::AdminActor;
using testing::AuthStack;
using testing::DbNow;
using testing::SelfActor;

constexpr char kPassword[] = "correct horse battery staple";
constexpr char kNewPassword[] = "a much newer passphrase 2024";
const ClientInfo kClient{.ip_address = "198.51.100.4", .user_agent = "Chrome/128"};

struct Stack : AuthStack {
  Stack() : credentials(db.pool(), testing::TestHasher(), policy, lockouts, box) {}

  LoginTokens MustLogin(const std::string& email, const std::string& password, absl::Time now) {
    absl::StatusOr<LoginResult> result = auth->Login(email, password, kClient, Actor{}, now);
    INFO(result.status().ToString());
    REQUIRE(result.ok());
    REQUIRE(result->tokens.has_value());
    return *result->tokens;
  }

  PasswordPolicy policy;
  CredentialManager credentials;
};

int64_t LiveSessions(Stack& stack, const std::string& user) {
  return stack.db.Count("SELECT count(*) FROM sessions WHERE user_id = $1 AND revoked_at IS NULL",
                        {user});
}

TEST_CASE("SetPassword: policy, hash, sessions revoked, event; deleted users refused") {
  Stack stack;
  const std::string user = stack.db.CreateUser("ann", kPassword);
  const absl::Time now = DbNow();
  stack.MustLogin("ann@example.com", kPassword, now);
  stack.MustLogin("ann@example.com", kPassword, now);

  CHECK(stack.credentials.SetPassword(user, "short", {}, AdminActor(), now).message() ==
        "new_password: must be at least 12 characters");
  REQUIRE(
      stack.credentials.SetPassword(user, kNewPassword, {.require_change = true}, AdminActor(), now)
          .ok());
  CHECK(LiveSessions(stack, user) == 0);
  CHECK(stack.db.CountEvents("session.revoked") == 2);
  pg::Result event = stack.db.Query(
      "SELECT actor_id, metadata->>'sessions_revoked', metadata::text FROM outbox "
      "WHERE event_type = 'password.changed'");
  REQUIRE(event.size() == 1);
  CHECK(*event[0].Get<std::string>(0) == AdminActor().id);
  CHECK(*event[0].Get<std::string>(1) == "2");
  CHECK(event[0].Get<std::string>(2)->find("newer") == std::string::npos);

  CHECK(stack.auth->Login("ann@example.com", kPassword, kClient, Actor{}, now).status().code() ==
        absl::StatusCode::kUnauthenticated);
  LoginTokens login = stack.MustLogin("ann@example.com", kNewPassword, now);
  absl::StatusOr<jwt::Claims> claims =
      (*stack.issuer->MakeVerifier())->Verify(login.tokens.access_token, now);
  REQUIRE(claims.ok());
  CHECK(claims->payload.at("pcr").as_bool());

  stack.db.SetStatus(user, "deleted");
  CHECK(stack.credentials.SetPassword(user, kNewPassword, {}, AdminActor(), now).code() ==
        absl::StatusCode::kFailedPrecondition);
  CHECK(
      stack.credentials
          .SetPassword("0190b5f2-0000-7000-8000-000000000000", kNewPassword, {}, AdminActor(), now)
          .code() == absl::StatusCode::kNotFound);
}

TEST_CASE("ResetPassword returns a temporary password that must be changed") {
  Stack stack;
  const std::string user = stack.db.CreateUser("ben", kPassword);
  const absl::Time now = DbNow();
  absl::StatusOr<std::string> temporary = stack.credentials.ResetPassword(user, AdminActor(), now);
  REQUIRE(temporary.ok());
  CHECK(temporary->size() == 20);
  CHECK(stack.db.Count("SELECT count(*) FROM users WHERE id = $1 AND password_change_required",
                       {user}) == 1);
  stack.MustLogin("ben@example.com", *temporary, now);
}

TEST_CASE("ChangePassword: proves the current one, keeps the current session") {
  Stack stack;
  const std::string user = stack.db.CreateUser("cat", kPassword);
  const absl::Time now = DbNow();
  LoginTokens current = stack.MustLogin("cat@example.com", kPassword, now);
  stack.MustLogin("cat@example.com", kPassword, now);

  absl::Status wrong = stack.credentials.ChangePassword(user, "not my password!", kNewPassword,
                                                        {.current_session_id = current.session_id},
                                                        SelfActor(user), now);
  CHECK(wrong.code() == absl::StatusCode::kUnauthenticated);
  CHECK(stack.db.Count("SELECT failed_logins FROM users WHERE id = $1", {user}) == 1);
  CHECK(stack.credentials.ChangePassword(user, kPassword, kPassword, {}, SelfActor(user), now)
            .message() == "new_password: must differ from the current password");
  CHECK(stack.credentials
            .ChangePassword(user, kPassword, "cat@example.com-1234", {}, SelfActor(user), now)
            .code() == absl::StatusCode::kInvalidArgument);

  REQUIRE(stack.credentials
              .ChangePassword(user, kPassword, kNewPassword,
                              {.current_session_id = current.session_id}, SelfActor(user), now)
              .ok());
  CHECK(LiveSessions(stack, user) == 1);
  CHECK(stack.sessions.Refresh(current.tokens.refresh_token, kClient, SelfActor(user), now).ok());
  stack.MustLogin("cat@example.com", kNewPassword, now);

  // Five wrong current passwords lock the account like failed logins do.
  for (int i = 0; i < 5; ++i) {
    stack.credentials
        .ChangePassword(user, "wrong again!!", "yet another passphrase", {}, SelfActor(user), now)
        .IgnoreError();
  }
  CHECK(stack.credentials
            .ChangePassword(user, kNewPassword, "yet another passphrase", {}, SelfActor(user), now)
            .code() == absl::StatusCode::kResourceExhausted);
}

TEST_CASE("TOTP enrollment: pending until verified, then on with recovery codes") {
  Stack stack;
  const std::string user = stack.db.CreateUser("dan", kPassword);
  const absl::Time now = DbNow();
  LoginTokens current = stack.MustLogin("dan@example.com", kPassword, now);
  stack.MustLogin("dan@example.com", kPassword, now);

  CHECK(
      stack.credentials.EnrollTotp(user, "wrong password!", SelfActor(user), now).status().code() ==
      absl::StatusCode::kUnauthenticated);
  CHECK(stack.credentials.VerifyTotp(user, "123456", "", SelfActor(user), now).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  absl::StatusOr<TotpEnrollment> enrollment =
      stack.credentials.EnrollTotp(user, kPassword, SelfActor(user), now);
  REQUIRE(enrollment.ok());
  CHECK(enrollment->secret.size() == 32);
  CHECK(enrollment->otpauth_uri.rfind("otpauth://totp/Backoffice:dan%40example.com?secret=", 0) ==
        0);
  CHECK(enrollment->expire_time == now + absl::Minutes(10));
  // Stored sealed, not enabled yet: logins still need no code.
  const std::string secret = *Base32Decode(enrollment->secret);
  CHECK(stack.db.Count("SELECT count(*) FROM users WHERE id = $1 AND NOT totp_enabled AND "
                       "position($2::bytea IN totp_pending_secret_encrypted) = 0",
                       {user, pg::Bytea{secret}}) == 1);
  stack.MustLogin("dan@example.com", kPassword, now);

  Totp totp;
  const std::string bad = totp.CodeAt(secret, now) == "123456" ? "654321" : "123456";
  CHECK(stack.credentials.VerifyTotp(user, bad, "", SelfActor(user), now).status().message() ==
        "code: wrong code");
  // Too late.
  CHECK(stack.credentials
            .VerifyTotp(user, totp.CodeAt(secret, now + absl::Minutes(10)), "", SelfActor(user),
                        now + absl::Minutes(10))
            .status()
            .code() == absl::StatusCode::kFailedPrecondition);

  const std::string code = totp.CodeAt(secret, now);
  absl::StatusOr<std::vector<std::string>> codes =
      stack.credentials.VerifyTotp(user, code, current.session_id, SelfActor(user), now);
  INFO(codes.status().ToString());
  REQUIRE(codes.ok());
  CHECK(codes->size() == 10);
  CHECK(stack.db.Count("SELECT recovery_codes_remaining FROM user_view WHERE id = $1", {user}) ==
        10);
  CHECK(LiveSessions(stack, user) == 1);  // only the current session stays
  CHECK(stack.db.CountEvents("user.totp_enabled") == 1);
  CHECK(stack.credentials.EnrollTotp(user, kPassword, SelfActor(user), now).status().code() ==
        absl::StatusCode::kFailedPrecondition);

  // Login now asks for a code; the enrollment code cannot be replayed there.
  absl::StatusOr<LoginResult> step =
      stack.auth->Login("dan@example.com", kPassword, kClient, Actor{}, now);
  REQUIRE(step->challenge.has_value());
  CHECK(stack.auth
            ->CompleteLogin(step->challenge->challenge_token, {.code = code}, kClient, Actor{}, now)
            .status()
            .code() == absl::StatusCode::kUnauthenticated);
  CHECK(stack.auth
            ->CompleteLogin(step->challenge->challenge_token,
                            {.method = SecondFactorMethod::kRecoveryCode, .code = (*codes)[0]},
                            kClient, Actor{}, now)
            .ok());
}

TEST_CASE("recovery codes regenerate with a code; TOTP turns off with proof or by an admin") {
  Stack stack;
  const std::string user = stack.db.CreateUser("eli", kPassword);
  std::vector<std::string> old_codes;
  const std::string secret = stack.EnableTotp(user, &old_codes);
  Totp totp;
  const absl::Time now = DbNow();
  const std::string bad = totp.CodeAt(secret, now) == "123456" ? "654321" : "123456";

  CHECK(
      stack.credentials.RegenerateRecoveryCodes(user, bad, SelfActor(user), now).status().code() ==
      absl::StatusCode::kUnauthenticated);
  absl::StatusOr<std::vector<std::string>> fresh = stack.credentials.RegenerateRecoveryCodes(
      user, totp.CodeAt(secret, now), SelfActor(user), now);
  REQUIRE(fresh.ok());
  CHECK(fresh->size() == 10);
  CHECK(*fresh != old_codes);
  // The code just used cannot be used again.
  CHECK(stack.credentials
            .RegenerateRecoveryCodes(user, totp.CodeAt(secret, now), SelfActor(user), now)
            .status()
            .code() == absl::StatusCode::kUnauthenticated);
  CHECK(stack.db.CountEvents("user.recovery_codes_regenerated") == 1);

  CHECK(stack.credentials
            .DisableTotp(user, {.kind = TotpDisableProof::Kind::kPassword, .value = "nope nope!"},
                         SelfActor(user), now)
            .code() == absl::StatusCode::kUnauthenticated);
  CHECK(stack.credentials
            .DisableTotp(user, {.kind = TotpDisableProof::Kind::kTotpCode, .value = bad},
                         SelfActor(user), now)
            .code() == absl::StatusCode::kUnauthenticated);
  REQUIRE(stack.credentials
              .DisableTotp(user,
                           {.kind = TotpDisableProof::Kind::kTotpCode,
                            .value = totp.CodeAt(secret, now + absl::Seconds(30))},
                           SelfActor(user), now)
              .ok());
  CHECK(stack.db.Count("SELECT count(*) FROM users WHERE id = $1 AND NOT totp_enabled AND "
                       "totp_secret_encrypted IS NULL",
                       {user}) == 1);
  CHECK(stack.db.Count("SELECT count(*) FROM recovery_codes WHERE user_id = $1", {user}) == 0);
  CHECK(stack.credentials
            .DisableTotp(user, {.kind = TotpDisableProof::Kind::kAdministrator}, AdminActor(), now)
            .code() == absl::StatusCode::kFailedPrecondition);
  CHECK(stack.db.Count("SELECT failed_logins FROM users WHERE id = $1", {user}) == 4);

  // An administrator needs no proof.
  stack.EnableTotp(user);
  REQUIRE(
      stack.credentials
          .DisableTotp(user, {.kind = TotpDisableProof::Kind::kAdministrator}, AdminActor(), now)
          .ok());
  CHECK(stack.db.CountEvents("user.totp_disabled") == 2);
  stack.MustLogin("eli@example.com", kPassword, now);
}

}  // namespace
}  // namespace backoffice::users
