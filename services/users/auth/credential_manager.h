// Password and TOTP management of an account: admin set/reset, self-service change, TOTP
// enrollment (pending until confirmed with a code), disabling TOTP, recovery codes.
//
//   CredentialManager credentials(pool, hasher, policy, lockouts, box);
//   absl::Status s = credentials.ChangePassword(user_id, current, next,
//                                               {.current_session_id = sid}, actor, now);
//   absl::StatusOr<TotpEnrollment> enrollment = credentials.EnrollTotp(user_id, password, actor,
//                                                                      now);
//   absl::StatusOr<std::vector<std::string>> codes =
//       credentials.VerifyTotp(user_id, code_from_app, sid, actor, now);  // shown once
//
// Secrets: password hashes (argon2id), TOTP secrets sealed with the SecretBox (associated data:
// the user id), recovery codes stored as hashes only. Events: password.changed,
// user.totp_enabled, user.totp_disabled, user.recovery_codes_regenerated, and session.revoked for
// each session ended; never a secret in them. Wrong passwords and codes here count toward the
// login lockout (and a locked account answers RESOURCE_EXHAUSTED). Thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/pg/pool.h"
#include "services/users/auth/lockout_store.h"
#include "services/users/credentials/password_hasher.h"
#include "services/users/credentials/password_policy.h"
#include "services/users/credentials/secret_box.h"
#include "services/users/store/user.h"

namespace backoffice::users {

/// Settings of a CredentialManager.
struct CredentialManagerOptions {
  /// The issuer shown by authenticator apps (otpauth URI).
  std::string totp_issuer = "Backoffice";
  /// A pending enrollment must be confirmed within this.
  absl::Duration totp_enrollment_lifetime = absl::Minutes(10);
};

/// SetPassword's switches (users.proto SetPasswordRequest).
struct SetPasswordOptions {
  /// The user must change it at next login (tokens carry `pcr`).
  bool require_change = false;
  /// End every session of the account (reason "password_changed"). The proto makes this a
  /// request field; the default here is the safe choice.
  bool revoke_sessions = true;
};

/// ChangePassword's switches (users.proto ChangePasswordRequest).
struct ChangePasswordOptions {
  /// End the account's other sessions (reason "password_changed").
  bool revoke_other_sessions = true;
  /// The caller's session (JWT `sid`), kept when revoking the others.
  std::string current_session_id;
};

/// A pending TOTP enrollment (auth.proto EnrollTotpResponse).
struct TotpEnrollment {
  /// The shared secret, base32 without padding (32 characters).
  std::string secret;
  /// `otpauth://totp/<issuer>:<email>?secret=...` for a QR code.
  std::string otpauth_uri;
  /// VerifyTotp must come before this.
  absl::Time expire_time;
};

/// How DisableTotp is authorized.
struct TotpDisableProof {
  enum class Kind { kAdministrator, kPassword, kTotpCode };
  /// kAdministrator: the handler checked `users:write`; no proof needed.
  Kind kind = Kind::kPassword;
  /// The password or the 6-digit code.
  std::string value;
};

/// See the file comment.
class CredentialManager final {
 public:
  /// Length of ResetPassword's temporary passwords.
  static constexpr size_t kTemporaryPasswordLength = 20;

  /// Everything passed by reference must outlive the manager.
  CredentialManager(pg::Pool& pool, const PasswordHasher& hasher, const PasswordPolicy& policy,
                    LockoutStore& lockouts, std::shared_ptr<const SecretBox> box,
                    CredentialManagerOptions options = {});

  /// Administrator sets a password without proof. NOT_FOUND; FAILED_PRECONDITION deleted;
  /// INVALID_ARGUMENT "new_password: ..." (policy). Event password.changed.
  absl::Status SetPassword(std::string_view user_id, std::string_view new_password,
                           const SetPasswordOptions& options, const Actor& actor, absl::Time now);

  /// Administrator replaces the password with a random 20-character one that must be changed at
  /// next login, revoking all sessions; returns it (shown once).
  absl::StatusOr<std::string> ResetPassword(std::string_view user_id, const Actor& actor,
                                            absl::Time now);

  /// The user changes their own password. UNAUTHENTICATED "current_password: wrong password"
  /// (counts toward the lockout); RESOURCE_EXHAUSTED locked; INVALID_ARGUMENT
  /// "new_password: ..." (policy, or equal to the current one); FAILED_PRECONDITION if the
  /// account is not active. Clears password_change_required.
  absl::Status ChangePassword(std::string_view user_id, std::string_view current_password,
                              std::string_view new_password, const ChangePasswordOptions& options,
                              const Actor& actor, absl::Time now);

  /// Starts (or restarts) TOTP enrollment after checking the password: a new secret, stored
  /// sealed as pending for 10 minutes. UNAUTHENTICATED "password: wrong password" (counts toward
  /// the lockout); FAILED_PRECONDITION TOTP already on.
  absl::StatusOr<TotpEnrollment> EnrollTotp(std::string_view user_id, std::string_view password,
                                            const Actor& actor, absl::Time now);

  /// Confirms enrollment with a current code: TOTP on (the code's step recorded, so it cannot be
  /// replayed at login), 10 recovery codes returned once, the account's other sessions revoked.
  /// INVALID_ARGUMENT "code: wrong code"; FAILED_PRECONDITION no pending or expired enrollment,
  /// or TOTP already on.
  absl::StatusOr<std::vector<std::string>> VerifyTotp(std::string_view user_id,
                                                      std::string_view code,
                                                      std::string_view current_session_id,
                                                      const Actor& actor, absl::Time now);

  /// Turns TOTP off and deletes the recovery codes. UNAUTHENTICATED wrong proof (counts toward
  /// the lockout); FAILED_PRECONDITION TOTP is off; NOT_FOUND.
  absl::Status DisableTotp(std::string_view user_id, const TotpDisableProof& proof,
                           const Actor& actor, absl::Time now);

  /// With a current TOTP code (used up by this call), replaces the recovery codes with 10 new
  /// ones, returned once. UNAUTHENTICATED "totp_code: wrong code"; FAILED_PRECONDITION TOTP is
  /// off.
  absl::StatusOr<std::vector<std::string>> RegenerateRecoveryCodes(std::string_view user_id,
                                                                   std::string_view totp_code,
                                                                   const Actor& actor,
                                                                   absl::Time now);

 private:
  // Verifies `password` against the stored hash outside any lock, counting a failure.
  absl::Status CheckPassword(std::string_view user_id, std::string_view password,
                             std::string_view field, const Actor& actor, absl::Time now);

  pg::Pool& pool_;
  const PasswordHasher& hasher_;
  const PasswordPolicy& policy_;
  LockoutStore& lockouts_;
  std::shared_ptr<const SecretBox> box_;
  CredentialManagerOptions options_;
};

}  // namespace backoffice::users
