// Checking and consuming a second factor (TOTP code or recovery code) inside the transaction that
// accepts it, so a code works once: a TOTP step is recorded in users.totp_last_step (later codes
// must be of a later step), a recovery code gets its used_at.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/pg/transaction.h"
#include "services/users/credentials/secret_box.h"

namespace backoffice::users {

/// Second-factor methods (auth.proto SecondFactorMethod).
enum class SecondFactorMethod { kTotp, kRecoveryCode };

/// A code the user typed.
struct SecondFactor {
  SecondFactorMethod method = SecondFactorMethod::kTotp;
  /// 6 digits for TOTP; `xxxx-xxxx-xxxx` (case, dashes and spaces ignored) for a recovery code.
  std::string code;
};

/// The account's TOTP state as read (FOR UPDATE) in the transaction.
struct TotpState {
  /// users.totp_secret_encrypted, sealed with the user id as associated data.
  std::string sealed_secret;
  /// users.totp_last_step.
  std::optional<int64_t> last_step;
};

/// Checks `factor` for `user_id` and, when it is right, consumes it in `tx`. Returns false for a
/// wrong, malformed or replayed code (nothing changed). Errors: SecretBox failures (the secret
/// does not open) and database errors.
absl::StatusOr<bool> ConsumeSecondFactor(pg::Transaction& tx, std::string_view user_id,
                                         const SecretBox& box, const TotpState& totp,
                                         const SecondFactor& factor, absl::Time now);

}  // namespace backoffice::users
