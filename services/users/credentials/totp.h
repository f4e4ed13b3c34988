// Time-based one-time passwords (RFC 6238 over HOTP, RFC 4226): HMAC-SHA1, 6 digits, 30 s steps,
// the parameters every authenticator app supports.
//
//   Totp totp;                                            // 6 digits, 30 s
//   std::string secret = Totp::GenerateSecret();          // 20 random bytes; store encrypted
//   absl::StatusOr<std::string> uri =
//       totp.Uri("Backoffice", "alice@example.com", secret);  // for the QR code
//   ...
//   std::optional<int64_t> step =
//       totp.Verify(secret, code, absl::Now(), user.totp_last_step);  // nullopt for first use
//   if (!step) { /* wrong code, or a code already used */ }
//   user.totp_last_step = *step;  // store it in the same transaction that accepts the login
//
// Replay protection: Verify accepts only steps after `last_used_step`, so a code (or an older one
// still inside the window) works once. Thread-safe (everything is const).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace backoffice::users {

/// Code length and time step. Only the defaults are used in production; other digit counts exist
/// for the RFC 6238 test vectors (8 digits).
struct TotpParams {
  /// Digits per code, 6 to 8.
  int digits = 6;
  /// Step length in whole seconds, at least 1.
  int period_seconds = 30;
};

/// Computes and checks TOTP codes for a shared secret.
class Totp final {
 public:
  /// Bytes of a generated secret: 160 bits, the HMAC-SHA1 block-friendly size RFC 4226 suggests.
  static constexpr size_t kSecretBytes = 20;

  /// 6 digits, 30 seconds.
  Totp() = default;

  /// INVALID_ARGUMENT if digits is outside 6..8 or period_seconds below 1.
  static absl::StatusOr<Totp> Create(TotpParams params);

  /// kSecretBytes random bytes from libsodium's CSPRNG.
  static std::string GenerateSecret();

  /// The time step containing `time`: floor(unix seconds / period).
  int64_t StepAt(absl::Time time) const;

  /// The code for `step` (HOTP with counter = step), zero-padded to `digits`.
  std::string CodeAtStep(std::string_view secret, int64_t step) const;

  /// The code valid at `time`.
  std::string CodeAt(std::string_view secret, absl::Time time) const {
    return CodeAtStep(secret, StepAt(time));
  }

  /// Checks `code` against the steps StepAt(now) - window .. StepAt(now) + window that are after
  /// `last_used_step` (nullopt: none used yet). Returns the earliest matching step, or nullopt when
  /// the code is malformed (not exactly `digits` ASCII digits), wrong, or only matches a step at or
  /// before `last_used_step` (a replay). Each candidate is compared in constant time and all are
  /// computed, so timing does not tell which step matched. `window` is clamped to 0..10.
  std::optional<int64_t> Verify(std::string_view secret, std::string_view code, absl::Time now,
                                std::optional<int64_t> last_used_step, int window = 1) const;

  /// The key URI authenticator apps read from a QR code:
  /// `otpauth://totp/<issuer>:<account>?secret=<base32>&issuer=<issuer>&algorithm=SHA1&digits=6&
  /// period=30`, with issuer and account percent-encoded (RFC 3986 unreserved characters kept).
  /// INVALID_ARGUMENT if the issuer is empty or contains ':' (the label separator), the account is
  /// empty, or the secret is empty.
  absl::StatusOr<std::string> Uri(std::string_view issuer, std::string_view account,
                                  std::string_view secret) const;

  /// The digits and period in use.
  const TotpParams& params() const { return params_; }

 private:
  explicit Totp(TotpParams params) : params_(params) {}

  TotpParams params_;
};

}  // namespace backoffice::users
