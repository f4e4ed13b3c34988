// One-time recovery codes for accounts with TOTP: shown once, stored only as hashes.
//
//   RecoveryCodeSet set = GenerateRecoveryCodes(user_id);  // 10 codes
//   // show set.codes to the user once; store set.hashes (32 bytes each) for user_id
//   ...
//   std::optional<size_t> index = FindRecoveryCode(input, user_id, stored_hashes);
//   if (index) { /* delete stored_hashes[*index] in the transaction that accepts the login */ }
//
// Format: `xxxx-xxxx-xxxx`, 12 characters from Crockford's base32 alphabet (digits and lower-case
// letters without i, l, o, u), so 60 random bits per code. Input is normalized before hashing:
// case is ignored, '-' and spaces are dropped, and the look-alikes Crockford maps are read as
// their digit (o -> 0, i and l -> 1).
//
// Why SHA-256 and not argon2id: a code carries 60 bits from a CSPRNG, not a human choice, so there
// is no dictionary to try: finding one of a user's 10 codes from its hash takes 2^60 / 10 SHA-256
// guesses on average, about two months of a GPU doing 2*10^10 per second, for one user. And a
// code is only a second factor: the attacker still needs the argon2id-protected password. The
// hash is salted with the user id (and a domain label), so one brute-force pass cannot be aimed
// at every user's codes at once. Online guessing is bounded by the login lockout.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace backoffice::users {

/// Characters of a code without separators.
inline constexpr size_t kRecoveryCodeLength = 12;
/// Default number of codes issued at a time.
inline constexpr int kDefaultRecoveryCodeCount = 10;

/// Freshly generated codes and their hashes, index for index.
struct RecoveryCodeSet {
  /// Codes to show once, formatted `xxxx-xxxx-xxxx`.
  std::vector<std::string> codes;
  /// HashRecoveryCode(codes[i], user_id): 32 raw bytes each, the only thing to store.
  std::vector<std::string> hashes;
};

/// `count` distinct random codes for `user_id` (count is clamped to 1..100).
RecoveryCodeSet GenerateRecoveryCodes(std::string_view user_id,
                                      int count = kDefaultRecoveryCodeCount);

/// The canonical form of typed input: 12 upper-case alphabet characters, no separators.
/// INVALID_ARGUMENT if, after dropping '-' and whitespace and mapping look-alikes, it is not
/// exactly 12 characters of the alphabet.
absl::StatusOr<std::string> NormalizeRecoveryCode(std::string_view input);

/// SHA-256("backoffice.users.recovery_code.v1", user_id, normalized code), each part length-
/// prefixed: 32 raw bytes. INVALID_ARGUMENT as NormalizeRecoveryCode.
absl::StatusOr<std::string> HashRecoveryCode(std::string_view input, std::string_view user_id);

/// The index in `stored_hashes` of the hash of `input` for `user_id`, or nullopt when none matches
/// or the input is malformed. Every stored hash is compared in constant time, without stopping at
/// a match, so the time does not reveal which entry (or whether any) matched.
std::optional<size_t> FindRecoveryCode(std::string_view input, std::string_view user_id,
                                       absl::Span<const std::string> stored_hashes);

}  // namespace backoffice::users
