// Sign-in: the password step, the second-factor step, refresh and logout, and the admin's view
// of the lockout. Plain C++ over PostgreSQL; the gRPC handlers validate the caller, call these
// and map the statuses.
//
//   Authenticator auth(pool, hasher, lockouts, sessions, issuer, box);
//   absl::StatusOr<LoginResult> result = auth.Login(email, password, client, actor, absl::Now());
//   if (result->challenge) {  // TOTP enrolled: ask for a code, then
//     result = auth.CompleteLogin(result->challenge->challenge_token,
//                                 {.method = SecondFactorMethod::kTotp, .code = code}, client,
//                                 actor, absl::Now());
//   }
//   // result->tokens: access + refresh token, session id, user id
//
// No account enumeration: an unknown email, a wrong password, an account without a password and
// a disabled or deleted account all answer UNAUTHENTICATED "invalid email or password" after the
// same work (a real or a dummy argon2id verification) and the same throttle delay; unknown emails
// keep throttle state too (LockoutStore), so they also lock after 5 failures.
//
// Locks answer RESOURCE_EXHAUSTED (reason ACCOUNT_LOCKED, RetryAfterOf = time left) as the
// contract says, for unknown emails as well, and before any password check, so the answer says
// nothing about the password. A lock ends by itself (15 min doubling up to 24 h).
//
// Each failure is counted exactly, even under concurrent attempts (LockoutStore); the password
// step's success with TOTP enrolled does not reset the count (so an attacker who knows the
// password cannot interleave password steps to guess codes forever); a completed login resets it.
// Thread-safe. Each Login or CompleteLogin runs one argon2id verification (about 65 ms and 64 MiB
// with the production parameters): the caller should bound how many run at once.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/pg/pool.h"
#include "services/users/auth/auth_types.h"
#include "services/users/auth/lockout_store.h"
#include "services/users/auth/second_factor.h"
#include "services/users/auth/session_store.h"
#include "services/users/auth/token_issuer.h"
#include "services/users/credentials/opaque_token.h"
#include "services/users/credentials/password_hasher.h"
#include "services/users/credentials/secret_box.h"
#include "services/users/store/user.h"

namespace backoffice::users {

/// Settings of an Authenticator.
struct AuthenticatorOptions {
  /// A second-factor challenge is accepted this long after the password step.
  absl::Duration challenge_lifetime = absl::Minutes(5);
  /// Wrong codes a challenge tolerates before it dies.
  int challenge_max_attempts = 5;
  /// Waits out the throttle's delay before answering (after every transaction has committed).
  /// Tests replace it to record the delay instead of sleeping.
  std::function<void(absl::Duration)> sleep = [](absl::Duration d) { absl::SleepFor(d); };
};

/// A finished login.
struct LoginTokens {
  TokenPair tokens;
  std::string user_id;
  std::string session_id;
};

/// A password step that needs a second factor (auth.proto SecondFactorChallenge).
struct LoginChallenge {
  /// Opaque ("lc_" + 43 characters), stored only hashed.
  std::string challenge_token;
  /// Methods accepted: TOTP, and recovery code.
  std::vector<SecondFactorMethod> methods;
  absl::Time expire_time;
};

/// Exactly one of the two is set.
struct LoginResult {
  std::optional<LoginTokens> tokens;
  std::optional<LoginChallenge> challenge;
};

/// Login, CompleteLogin, Refresh, Logout, GetLockout, Unlock; see the file comment.
class Authenticator final {
 public:
  /// Longest email and password accepted (bytes).
  static constexpr size_t kMaxEmailBytes = 254;
  static constexpr size_t kMaxPasswordBytes = 1024;
  /// Longest refresh token accepted (bytes).
  static constexpr size_t kMaxRefreshTokenBytes = 128;

  /// Everything passed by reference must outlive the Authenticator.
  Authenticator(pg::Pool& pool, const PasswordHasher& hasher, LockoutStore& lockouts,
                SessionStore& sessions, const TokenIssuer& issuer,
                std::shared_ptr<const SecretBox> box, AuthenticatorOptions options = {});

  /// The password step. INVALID_ARGUMENT "email: ..." / "password: ..." (empty or too long) or
  /// "client.ip_address: ..."; UNAUTHENTICATED kInvalidCredentialsMessage; RESOURCE_EXHAUSTED
  /// locked (see the file comment). `actor` carries the request and trace ids (its id is
  /// replaced by the user's). Events: login.failed, lock.set, login.succeeded, session.created.
  absl::StatusOr<LoginResult> Login(std::string_view email, std::string_view password,
                                    const ClientInfo& client, const Actor& actor, absl::Time now);

  /// The second-factor step. INVALID_ARGUMENT for an empty code; UNAUTHENTICATED "invalid
  /// second-factor code" (counts toward the lockout and the challenge's 5 tries) or "login
  /// challenge is unknown or expired" (also used up, another User-Agent, or the account no longer
  /// active); RESOURCE_EXHAUSTED locked. A TOTP code works once (replay refused); a recovery code
  /// is consumed.
  absl::StatusOr<LoginResult> CompleteLogin(std::string_view challenge_token,
                                            const SecondFactor& factor, const ClientInfo& client,
                                            const Actor& actor, absl::Time now);

  /// Rotates the refresh token and issues a new access token (SessionStore::Refresh errors).
  /// INVALID_ARGUMENT "refresh_token: ..." when empty or longer than 128 bytes.
  absl::StatusOr<TokenPair> Refresh(std::string_view refresh_token, const ClientInfo& client,
                                    const Actor& actor, absl::Time now);

  /// Ends the session of `refresh_token`; idempotent (SessionStore::RevokeByRefreshToken).
  absl::Status Logout(std::string_view refresh_token, const Actor& actor, absl::Time now);

  /// GetLockout / Unlock (LockoutStore).
  absl::StatusOr<LockoutInfo> GetLockout(std::string_view user_id, absl::Time now);
  absl::StatusOr<LockoutInfo> Unlock(std::string_view user_id, const Actor& actor, absl::Time now);

 private:
  // Issues the access token for a new session inside the login transaction's outcome.
  absl::StatusOr<LoginTokens> Finish(const NewSession& session, std::string_view user_id,
                                     bool password_change_required, absl::Time now) const;

  pg::Pool& pool_;
  const PasswordHasher& hasher_;
  LockoutStore& lockouts_;
  SessionStore& sessions_;
  const TokenIssuer& issuer_;
  std::shared_ptr<const SecretBox> box_;
  AuthenticatorOptions options_;
  OpaqueTokenFormat challenge_format_;
};

}  // namespace backoffice::users
