// Test helper: the whole sign-in stack (ring with a key, issuer, lockouts, sessions,
// authenticator) over an AuthFixture database, recording throttle delays instead of sleeping.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "services/users/auth/auth_fixture.h"
#include "services/users/auth/login_flow.h"
#include "services/users/credentials/recovery_codes.h"
#include "services/users/credentials/totp.h"

namespace backoffice::users::testing {

struct AuthStack {
  explicit AuthStack(LoginThrottle throttle = LoginThrottle(), int pool_size = 4)
      : db(pool_size),
        box(TestSecretBox()),
        lockouts(db.pool(), std::move(throttle)),
        sessions(db.pool()) {
    absl::StatusOr<std::unique_ptr<SigningKeyRing>> created =
        SigningKeyRing::Create(db.pool(), box);
    REQUIRE(created.ok());
    ring = *std::move(created);
    REQUIRE(ring->EnsureActiveKey(absl::Now()).ok());
    issuer = std::make_unique<TokenIssuer>(*ring);
    auth =
        std::make_unique<Authenticator>(db.pool(), TestHasher(), lockouts, sessions, *issuer, box,
                                        AuthenticatorOptions{.sleep = [this](absl::Duration d) {
                                          absl::MutexLock lock(&mutex);
                                          delays.push_back(d);
                                        }});
  }

  /// Turns TOTP on for `user_id` with a fresh secret (sealed as the service does) and 10 recovery
  /// codes; returns the secret.
  std::string EnableTotp(const std::string& user_id, std::vector<std::string>* codes = nullptr) {
    std::string secret = Totp::GenerateSecret();
    db.Query("UPDATE users SET totp_enabled = true, totp_secret_encrypted = $2 WHERE id = $1",
             {user_id, pg::Bytea{box->Seal(secret, user_id)}});
    RecoveryCodeSet set = GenerateRecoveryCodes(user_id);
    for (const std::string& hash : set.hashes) {
      db.Query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)",
               {user_id, pg::Bytea{hash}});
    }
    if (codes != nullptr) {
      *codes = set.codes;
    }
    return secret;
  }

  std::vector<absl::Duration> TakeDelays() {
    absl::MutexLock lock(&mutex);
    return std::exchange(delays, {});
  }

  AuthFixture db;
  std::shared_ptr<const SecretBox> box;
  LockoutStore lockouts;
  SessionStore sessions;
  std::unique_ptr<SigningKeyRing> ring;
  std::unique_ptr<TokenIssuer> issuer;
  std::unique_ptr<Authenticator> auth;
  absl::Mutex mutex;
  std::vector<absl::Duration> delays;
};

}  // namespace backoffice::users::testing
