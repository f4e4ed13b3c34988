#include "services/users/auth/login_flow.h"

#include <catch2/catch.hpp>
#include <thread>

#include "services/users/auth/auth_stack_test_util.h"

namespace backoffice::users {
namespace {

using testing::AdminActor;
using testing::AuthStack;

constexpr char kPassword[] = "correct horse battery staple";
const ClientInfo kClient{.ip_address = "198.51.100.4", .user_agent = "Chrome/128"};
const Actor kRequest{.type = "user", .request_id = "req-login"};

LoginThrottle ThrottleWithMaxFailures(int max_failures) {
  LoginThrottlePolicy policy;
  policy.max_failures = max_failures;
  return *LoginThrottle::Create(policy);
}

TEST_CASE("login with the right password returns tokens for a new session") {
  AuthStack stack;
  const std::string user = stack.db.CreateUser("ann", kPassword);
  const absl::Time now = testing::DbNow();
  absl::StatusOr<LoginResult> result =
      stack.auth->Login("ANN@Example.COM", kPassword, kClient, kRequest, now);
  INFO(result.status().ToString());
  REQUIRE(result.ok());
  REQUIRE(result->tokens.has_value());
  CHECK_FALSE(result->challenge.has_value());
  CHECK(result->tokens->user_id == user);
  CHECK(result->tokens->tokens.token_type == "Bearer");
  CHECK(result->tokens->tokens.access_token_expires_in == absl::Minutes(15));
  CHECK(result->tokens->tokens.refresh_token_expire_time == now + absl::Hours(12));

  absl::StatusOr<jwt::Claims> claims =
      (*stack.issuer->MakeVerifier())->Verify(result->tokens->tokens.access_token, now);
  REQUIRE(claims.ok());
  CHECK(claims->sub == user);
  CHECK(claims->sid == result->tokens->session_id);

  CHECK(stack.db.Count("SELECT count(*) FROM users WHERE id = $1 AND last_login_at = $2",
                       {user, now}) == 1);
  CHECK(stack.db.EventTypes() ==
        std::vector<std::string>{"signing_key.created", "session.created", "login.succeeded"});
  pg::Result event = stack.db.Query(
      "SELECT actor_id, request_id, metadata->>'session_id' FROM outbox "
      "WHERE event_type = 'login.succeeded'");
  CHECK(*event[0].Get<std::string>(0) == user);
  CHECK(*event[0].Get<std::string>(1) == "req-login");
  CHECK(*event[0].Get<std::string>(2) == result->tokens->session_id);
}

TEST_CASE("unknown email, wrong password, no password and inactive accounts answer alike") {
  AuthStack stack;
  const std::string user = stack.db.CreateUser("bob", kPassword);
  stack.db.CreateUser("nopass", "");
  const std::string disabled = stack.db.CreateUser("dis", kPassword);
  stack.db.SetStatus(disabled, "disabled");
  const std::string deleted = stack.db.CreateUser("del", kPassword);
  stack.db.SetStatus(deleted, "deleted");
  const absl::Time now = testing::DbNow();

  absl::Status unknown =
      stack.auth->Login("nobody@example.com", kPassword, kClient, kRequest, now).status();
  absl::Status wrong =
      stack.auth->Login("bob@example.com", "not the password!", kClient, kRequest, now).status();
  absl::Status no_password =
      stack.auth->Login("nopass@example.com", kPassword, kClient, kRequest, now).status();
  absl::Status inactive =
      stack.auth->Login("dis@example.com", kPassword, kClient, kRequest, now).status();
  absl::Status gone =
      stack.auth->Login("del@example.com", kPassword, kClient, kRequest, now).status();
  for (const absl::Status& status : {unknown, wrong, no_password, inactive, gone}) {
    INFO(status.ToString());
    CHECK(status.code() == absl::StatusCode::kUnauthenticated);
    CHECK(status.message() == "invalid email or password");
    CHECK(ErrorReasonOf(status).empty());
  }
  CHECK(unknown == wrong);
  // Each failure counted where it belongs, with its real reason in the event only.
  CHECK(stack.db.Count("SELECT count(*) FROM unknown_login_throttle WHERE email_key = "
                       "'nobody@example.com' AND failed_logins = 1") == 1);
  CHECK(stack.db.Count("SELECT failed_logins FROM users WHERE id = $1", {user}) == 1);
  pg::Result reasons = stack.db.Query(
      "SELECT metadata->>'reason' FROM outbox WHERE event_type = 'login.failed' ORDER BY position");
  std::vector<std::string> got;
  for (const pg::Row& row : reasons) {
    got.push_back(*row.Get<std::string>(0));
  }
  CHECK(got == std::vector<std::string>{"unknown_email", "wrong_password", "no_password",
                                        "account_disabled", "account_deleted"});
  CHECK(stack.db.Count("SELECT count(*) FROM outbox WHERE metadata::text LIKE '%horse%' "
                       "OR coalesce(after::text, '') LIKE '%horse%'") == 0);
  CHECK(stack.db.Count("SELECT count(*) FROM sessions") == 0);
}

TEST_CASE("five failures lock the account; the lock expires by itself and then doubles") {
  AuthStack stack;
  const std::string user = stack.db.CreateUser("cy", kPassword);
  const absl::Time t0 = testing::DbNow();
  for (int i = 0; i < 5; ++i) {
    absl::Status status = stack.auth
                              ->Login("cy@example.com", "wrong password " + std::to_string(i),
                                      kClient, kRequest, t0 + absl::Seconds(i))
                              .status();
    CHECK(status.code() == absl::StatusCode::kUnauthenticated);
  }
  // Delays grow before the lock: 0, 0, 250 ms, 500 ms, 1 s.
  CHECK(stack.TakeDelays() ==
        std::vector<absl::Duration>{absl::ZeroDuration(), absl::ZeroDuration(),
                                    absl::Milliseconds(250), absl::Milliseconds(500),
                                    absl::Seconds(1)});
  CHECK(stack.db.CountEvents("lock.set") == 1);

  // Locked: even the right password is refused, without a check, with the time left.
  const absl::Time t1 = t0 + absl::Seconds(10);
  absl::Status locked =
      stack.auth->Login("cy@example.com", kPassword, kClient, kRequest, t1).status();
  CHECK(locked.code() == absl::StatusCode::kResourceExhausted);
  CHECK(ErrorReasonOf(locked) == kReasonAccountLocked);
  CHECK(RetryAfterOf(locked) == absl::Seconds(4) + absl::Minutes(15) - absl::Seconds(10));
  absl::StatusOr<LockoutInfo> lockout = stack.auth->GetLockout(user, t1);
  REQUIRE(lockout.ok());
  CHECK(lockout->locked);
  CHECK(lockout->lock_count == 1);
  CHECK(lockout->locked_until == t0 + absl::Seconds(4) + absl::Minutes(15));
  CHECK(lockout->last_failure_ip_address == "198.51.100.4");
  CHECK(stack.db.CountEvents("login.failed") == 5);  // the refused attempt is not a failure

  // After 15 minutes the lock is over; five more failures lock for 30 minutes.
  const absl::Time t2 = t0 + absl::Seconds(4) + absl::Minutes(15);
  CHECK_FALSE(stack.auth->GetLockout(user, t2)->locked);
  for (int i = 0; i < 5; ++i) {
    stack.auth->Login("cy@example.com", "still wrong!", kClient, kRequest, t2 + absl::Seconds(i))
        .IgnoreError();
  }
  lockout = stack.auth->GetLockout(user, t2 + absl::Seconds(5));
  CHECK(lockout->lock_count == 2);
  CHECK(lockout->locked_until == t2 + absl::Seconds(4) + absl::Minutes(30));

  // A success after the lock resets everything.
  const absl::Time t3 = t2 + absl::Hours(1);
  REQUIRE(stack.auth->Login("cy@example.com", kPassword, kClient, kRequest, t3).ok());
  lockout = stack.auth->GetLockout(user, t3);
  CHECK(lockout->lock_count == 0);
  CHECK(lockout->failed_attempts == 0);
  CHECK_FALSE(lockout->locked_until.has_value());
}

TEST_CASE("an unknown email locks exactly like an account") {
  AuthStack stack;
  stack.db.CreateUser("real", kPassword);
  const absl::Time t0 = testing::DbNow();
  std::vector<absl::Status> real, fake;
  for (int i = 0; i < 6; ++i) {
    real.push_back(
        stack.auth
            ->Login("real@example.com", "wrong password!", kClient, kRequest, t0 + absl::Seconds(i))
            .status());
  }
  std::vector<absl::Duration> real_delays = stack.TakeDelays();
  for (int i = 0; i < 6; ++i) {
    fake.push_back(stack.auth
                       ->Login("ghost@example.com", "wrong password!", kClient, kRequest,
                               t0 + absl::Seconds(i))
                       .status());
  }
  CHECK(real == fake);
  CHECK(real_delays == stack.TakeDelays());
  CHECK(fake.back().code() == absl::StatusCode::kResourceExhausted);

  LockoutStore& lockouts = stack.lockouts;
  CHECK(*lockouts.PurgeUnknown(t0 + absl::Hours(1)) == 0);  // still locked / counted
  CHECK(*lockouts.PurgeUnknown(t0 + absl::Hours(25)) == 1);
}

TEST_CASE("concurrent failed logins are all counted") {
  AuthStack stack(ThrottleWithMaxFailures(100), /*pool_size=*/8);
  const std::string user = stack.db.CreateUser("dan", kPassword);
  const absl::Time now = testing::DbNow();
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2; ++i) {
        CHECK(stack.auth->Login("dan@example.com", "wrong password!", kClient, kRequest, now)
                  .status()
                  .code() == absl::StatusCode::kUnauthenticated);
      }
    });
  }
  for (std::thread& t : threads) {
    t.join();
  }
  CHECK(stack.db.Count("SELECT failed_logins FROM users WHERE id = $1", {user}) == 16);
  CHECK(stack.db.CountEvents("login.failed") == 16);
}

TEST_CASE("an administrator's Unlock clears the lock once") {
  AuthStack stack;
  const std::string user = stack.db.CreateUser("eve", kPassword);
  const absl::Time t0 = testing::DbNow();
  for (int i = 0; i < 5; ++i) {
    stack.auth->Login("eve@example.com", "wrong password!", kClient, kRequest, t0).IgnoreError();
  }
  CHECK(stack.auth->GetLockout(user, t0)->locked);
  absl::StatusOr<LockoutInfo> after = stack.auth->Unlock(user, AdminActor(), t0);
  REQUIRE(after.ok());
  CHECK_FALSE(after->locked);
  CHECK(after->lock_count == 0);
  REQUIRE(stack.auth->Unlock(user, AdminActor(), t0).ok());
  CHECK(stack.db.CountEvents("lock.cleared") == 1);
  pg::Result event =
      stack.db.Query("SELECT actor_id FROM outbox WHERE event_type = 'lock.cleared'");
  CHECK(*event[0].Get<std::string>(0) == AdminActor().id);
  CHECK(stack.auth->Login("eve@example.com", kPassword, kClient, kRequest, t0).ok());
  CHECK(stack.auth->GetLockout("0190b5f2-0000-7000-8000-000000000000", t0).status().code() ==
        absl::StatusCode::kNotFound);
  CHECK(stack.auth->Unlock("nope", AdminActor(), t0).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("a password hashed with other parameters is rehashed on login") {
  AuthStack stack;
  const std::string user = stack.db.CreateUser("fay", "");
  absl::StatusOr<PasswordHasher> old =
      PasswordHasher::Create({.memlimit = size_t{20} << 20, .opslimit = 2});
  REQUIRE(old.ok());
  const std::string old_hash = *old->Hash(kPassword);
  stack.db.Query("UPDATE users SET password_hash = $2 WHERE id = $1", {user, old_hash});
  REQUIRE(
      stack.auth->Login("fay@example.com", kPassword, kClient, kRequest, testing::DbNow()).ok());
  pg::Result row = stack.db.Query("SELECT password_hash FROM users WHERE id = $1", {user});
  const std::string new_hash = *row[0].Get<std::string>(0);
  CHECK(new_hash != old_hash);
  CHECK_FALSE(testing::TestHasher().NeedsRehash(new_hash));
  CHECK(testing::TestHasher().Verify(new_hash, kPassword));
}

TEST_CASE("TOTP: the password step returns a challenge; a code completes it once") {
  AuthStack stack(ThrottleWithMaxFailures(50));
  const std::string user = stack.db.CreateUser("gil", kPassword);
  const std::string secret = stack.EnableTotp(user);
  Totp totp;
  const absl::Time now = testing::DbNow();

  absl::StatusOr<LoginResult> step1 =
      stack.auth->Login("gil@example.com", kPassword, kClient, kRequest, now);
  REQUIRE(step1.ok());
  REQUIRE(step1->challenge.has_value());
  CHECK_FALSE(step1->tokens.has_value());
  CHECK(step1->challenge->expire_time == now + absl::Minutes(5));
  CHECK(step1->challenge->methods.size() == 2);
  CHECK(stack.db.Count("SELECT count(*) FROM sessions") == 0);
  const std::string challenge = step1->challenge->challenge_token;

  // A wrong code counts; a code two steps old is outside the ±1 window.
  absl::Status wrong =
      stack.auth->CompleteLogin(challenge, {.code = "000000"}, kClient, kRequest, now).status();
  if (totp.CodeAt(secret, now) != "000000") {
    CHECK(wrong.code() == absl::StatusCode::kUnauthenticated);
    CHECK(wrong.message() == "invalid second-factor code");
  }
  CHECK(stack.auth
            ->CompleteLogin(challenge, {.code = totp.CodeAt(secret, now - absl::Seconds(60))},
                            kClient, kRequest, now)
            .status()
            .code() == absl::StatusCode::kUnauthenticated);
  // Another browser cannot finish it.
  CHECK(stack.auth
            ->CompleteLogin(challenge, {.code = totp.CodeAt(secret, now)}, {.user_agent = "curl/8"},
                            kRequest, now)
            .status()
            .code() == absl::StatusCode::kUnauthenticated);

  // The previous step's code is within the window.
  const std::string code = totp.CodeAt(secret, now - absl::Seconds(30));
  absl::StatusOr<LoginResult> done =
      stack.auth->CompleteLogin(challenge, {.code = code}, kClient, kRequest, now);
  INFO(done.status().ToString());
  REQUIRE(done.ok());
  REQUIRE(done->tokens.has_value());
  CHECK(stack.db.Count("SELECT count(*) FROM sessions WHERE second_factor_used") == 1);
  CHECK(stack.db.Count("SELECT failed_logins FROM users WHERE id = $1", {user}) == 0);
  // The challenge is gone.
  CHECK(stack.auth->CompleteLogin(challenge, {.code = code}, kClient, kRequest, now)
            .status()
            .message() == "login challenge is unknown or expired");

  // Replay: the same code (and the older one) on a fresh challenge is refused; the next step's
  // code works.
  std::string challenge2 = stack.auth->Login("gil@example.com", kPassword, kClient, kRequest, now)
                               ->challenge->challenge_token;
  CHECK(stack.auth->CompleteLogin(challenge2, {.code = code}, kClient, kRequest, now)
            .status()
            .code() == absl::StatusCode::kUnauthenticated);
  CHECK(stack.auth
            ->CompleteLogin(challenge2, {.code = totp.CodeAt(secret, now)}, kClient, kRequest, now)
            .ok());
}

TEST_CASE("TOTP: a challenge expires and allows five tries") {
  AuthStack stack(ThrottleWithMaxFailures(50));
  const std::string user = stack.db.CreateUser("hal", kPassword);
  const std::string secret = stack.EnableTotp(user);
  Totp totp;
  const absl::Time now = testing::DbNow();
  std::string expired = stack.auth->Login("hal@example.com", kPassword, kClient, kRequest, now)
                            ->challenge->challenge_token;
  CHECK(stack.auth
            ->CompleteLogin(expired, {.code = totp.CodeAt(secret, now + absl::Minutes(5))}, kClient,
                            kRequest, now + absl::Minutes(5))
            .status()
            .message() == "login challenge is unknown or expired");

  std::string challenge = stack.auth->Login("hal@example.com", kPassword, kClient, kRequest, now)
                              ->challenge->challenge_token;
  const std::string right = totp.CodeAt(secret, now);
  const std::string bad = right == "123456" ? "654321" : "123456";
  for (int i = 0; i < 5; ++i) {
    CHECK(stack.auth->CompleteLogin(challenge, {.code = bad}, kClient, kRequest, now)
              .status()
              .message() == "invalid second-factor code");
  }
  CHECK(stack.auth->CompleteLogin(challenge, {.code = right}, kClient, kRequest, now)
            .status()
            .message() == "login challenge is unknown or expired");
  CHECK(stack.db.Count("SELECT failed_logins FROM users WHERE id = $1", {user}) == 5);
}

TEST_CASE("TOTP: code failures count toward the account lock") {
  AuthStack stack;
  const std::string user = stack.db.CreateUser("ike", kPassword);
  const std::string secret = stack.EnableTotp(user);
  const absl::Time now = testing::DbNow();
  const std::string bad = Totp().CodeAt(secret, now) == "123456" ? "654321" : "123456";
  // The password step does not reset the count, so interleaving it does not help an attacker.
  for (int i = 0; i < 5; ++i) {
    absl::StatusOr<LoginResult> step =
        stack.auth->Login("ike@example.com", kPassword, kClient, kRequest, now);
    REQUIRE(step.ok());
    stack.auth
        ->CompleteLogin(step->challenge->challenge_token, {.code = bad}, kClient, kRequest, now)
        .IgnoreError();
  }
  CHECK(stack.auth->GetLockout(user, now)->locked);
  CHECK(stack.auth->Login("ike@example.com", kPassword, kClient, kRequest, now).status().code() ==
        absl::StatusCode::kResourceExhausted);
}

TEST_CASE("a recovery code completes a login once") {
  AuthStack stack(ThrottleWithMaxFailures(50));
  const std::string user = stack.db.CreateUser("jo", kPassword);
  std::vector<std::string> codes;
  stack.EnableTotp(user, &codes);
  const absl::Time now = testing::DbNow();
  auto complete = [&](const std::string& code) {
    std::string challenge = stack.auth->Login("jo@example.com", kPassword, kClient, kRequest, now)
                                ->challenge->challenge_token;
    return stack.auth->CompleteLogin(challenge,
                                     {.method = SecondFactorMethod::kRecoveryCode, .code = code},
                                     kClient, kRequest, now);
  };
  // Typed in upper case without dashes: still the same code.
  std::string typed = codes[3];
  typed.erase(std::remove(typed.begin(), typed.end(), '-'), typed.end());
  std::transform(typed.begin(), typed.end(), typed.begin(), ::toupper);
  absl::StatusOr<LoginResult> first = complete(typed);
  INFO(first.status().ToString());
  REQUIRE(first.ok());
  CHECK(first->tokens.has_value());
  CHECK(stack.db.Count("SELECT count(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS "
                       "NOT NULL",
                       {user}) == 1);
  CHECK(complete(codes[3]).status().code() == absl::StatusCode::kUnauthenticated);
  CHECK(complete(codes[4]).ok());
  pg::Result methods = stack.db.Query(
      "SELECT metadata->>'second_factor' FROM outbox WHERE event_type = 'login.succeeded'");
  CHECK(*methods[0].Get<std::string>(0) == "recovery_code");
}

TEST_CASE("refresh and logout through the authenticator; a disabled user's session stops") {
  AuthStack stack;
  const std::string user = stack.db.CreateUser("kim", kPassword);
  const absl::Time now = testing::DbNow();
  LoginTokens login =
      *stack.auth->Login("kim@example.com", kPassword, kClient, kRequest, now)->tokens;

  absl::StatusOr<TokenPair> refreshed =
      stack.auth->Refresh(login.tokens.refresh_token, kClient, kRequest, now + absl::Minutes(1));
  REQUIRE(refreshed.ok());
  CHECK(refreshed->refresh_token != login.tokens.refresh_token);
  absl::StatusOr<jwt::Claims> claims =
      (*stack.issuer->MakeVerifier())->Verify(refreshed->access_token, now + absl::Minutes(1));
  REQUIRE(claims.ok());
  CHECK(claims->sid == login.session_id);

  stack.db.SetStatus(user, "disabled");
  CHECK(stack.auth->Refresh(refreshed->refresh_token, kClient, kRequest, now + absl::Minutes(2))
            .status()
            .code() == absl::StatusCode::kUnauthenticated);
  stack.db.SetStatus(user, "active");

  REQUIRE(stack.auth->Logout(refreshed->refresh_token, kRequest, now + absl::Minutes(3)).ok());
  REQUIRE(stack.auth->Logout(refreshed->refresh_token, kRequest, now + absl::Minutes(3)).ok());
  CHECK(stack.auth->Refresh(refreshed->refresh_token, kClient, kRequest, now + absl::Minutes(4))
            .status()
            .code() == absl::StatusCode::kUnauthenticated);
  CHECK(stack.auth->Refresh("", kClient, kRequest, now).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("bad input is refused before anything happens") {
  AuthStack stack;
  const absl::Time now = testing::DbNow();
  CHECK(stack.auth->Login("", kPassword, kClient, kRequest, now).status().message() ==
        "email: must be 1 to 254 bytes");
  CHECK(
      stack.auth->Login(std::string(255, 'a'), kPassword, kClient, kRequest, now).status().code() ==
      absl::StatusCode::kInvalidArgument);
  CHECK(stack.auth->Login("a@example.com", "", kClient, kRequest, now).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(stack.auth->Login("a@example.com", std::string(1025, 'x'), kClient, kRequest, now)
            .status()
            .code() == absl::StatusCode::kInvalidArgument);
  CHECK(stack.auth->Login("a@example.com", kPassword, {.ip_address = "999.1.1.1"}, kRequest, now)
            .status()
            .message() == "client.ip_address: not an IPv4 or IPv6 address");
  CHECK(stack.db.Count("SELECT count(*) FROM outbox WHERE event_type <> 'signing_key.created'") ==
        0);
}

}  // namespace
}  // namespace backoffice::users
