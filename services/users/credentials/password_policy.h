// The rules a new password must follow (CreateUser, SetPassword, ChangePassword).
//
//   PasswordPolicy policy;  // build once; holds the common-password set
//   if (absl::Status status = policy.Check(new_password, user.email, user.display_name);
//       !status.ok()) {
//     return status;  // INVALID_ARGUMENT "password: must be at least 12 characters"
//   }
//
// Every violation is INVALID_ARGUMENT whose message starts with "password: " and names the rule;
// the gRPC edge maps it to a BadRequest field violation {field: "password", reason:
// WEAK_PASSWORD}. The message never contains the password. Thread-safe (Check is const).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"

namespace backoffice::users {

/// Password rules, in the order Check applies them (the first failure is reported):
///  1. at most kMaxBytes bytes (bounds the work for what follows);
///  2. valid UTF-8 (no overlong forms, surrogates or code points above U+10FFFF);
///  3. no control characters (U+0000..U+001F, U+007F, U+0080..U+009F); spaces and every other
///     printable character are allowed, nothing is trimmed or changed;
///  4. kMinCodePoints to kMaxCodePoints characters, counted as Unicode code points (NIST SP
///     800-63B 5.1.1.2 counts characters, so "pässwörter…" is not penalised for its multi-byte
///     letters; bytes would make the minimum easier to reach with non-ASCII text);
///  5. not one character repeated ("aaaaaaaaaaaa");
///  6. not equal to, and not containing, the email or its local part, compared ignoring ASCII
///     case; containment is checked only for a local part of at least kMinContainedLength bytes
///     (a two-letter local part would reject half of all passwords);
///  7. not equal to, and not containing, the display name (same rule and threshold);
///  8. not in the embedded list of common passwords (common_passwords.txt), ignoring ASCII case.
/// Case is folded for ASCII letters only and no Unicode normalization is applied (NIST suggests
/// NFKC; that would need ICU): the password is hashed exactly as given.
class PasswordPolicy final {
 public:
  /// Fewest characters (code points).
  static constexpr size_t kMinCodePoints = 12;
  /// Most characters (code points).
  static constexpr size_t kMaxCodePoints = 128;
  /// Most bytes, checked first (the contract's limit on every password field).
  static constexpr size_t kMaxBytes = 1024;
  /// Shortest email local part or display name that the password may not contain.
  static constexpr size_t kMinContainedLength = 4;

  /// Loads the embedded common-password list (a few hundred entries; microseconds).
  PasswordPolicy();

  /// OK if `password` follows every rule above for an account with this email and display name
  /// (either may be empty, which skips its rule); otherwise INVALID_ARGUMENT naming the rule.
  absl::Status Check(std::string_view password, std::string_view email,
                     std::string_view display_name) const;

  /// Whether `password`, lower-cased in ASCII, is in the common-password list.
  bool IsCommon(std::string_view password) const;

  /// Number of entries in the common-password list.
  size_t common_password_count() const { return common_.size(); }

 private:
  absl::flat_hash_set<std::string> common_;
};

}  // namespace backoffice::users
