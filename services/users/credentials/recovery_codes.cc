#include "services/users/credentials/recovery_codes.h"

#include <sodium.h>

#include <algorithm>
#include <cstdint>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "services/users/credentials/sodium_util.h"

namespace backoffice::users {
namespace {

constexpr std::string_view kAlphabet = "0123456789abcdefghjkmnpqrstvwxyz";
constexpr std::string_view kHashDomain = "backoffice.users.recovery_code.v1";
constexpr size_t kGroupLength = 4;
constexpr int kMaxCount = 100;

// Crockford's decoding of one typed character to its canonical upper-case symbol, or 0.
char Canonical(char c) {
  if (c >= 'a' && c <= 'z') {
    c = static_cast<char>(c - 'a' + 'A');
  }
  switch (c) {
    case 'O':
      return '0';
    case 'I':
    case 'L':
      return '1';
    case 'U':
      return 0;
    default:
      break;
  }
  if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')) {
    return c;
  }
  return 0;
}

void AppendLengthPrefixed(std::string& out, std::string_view part) {
  uint64_t size = part.size();
  for (int i = 0; i < 8; ++i) {
    out.push_back(static_cast<char>(size & 0xFF));
    size >>= 8;
  }
  out.append(part);
}

std::string HashNormalized(std::string_view normalized, std::string_view user_id) {
  std::string message;
  AppendLengthPrefixed(message, kHashDomain);
  AppendLengthPrefixed(message, user_id);
  AppendLengthPrefixed(message, normalized);
  return Sha256(message);
}

std::string RandomCode() {
  std::string code;
  for (size_t i = 0; i < kRecoveryCodeLength; ++i) {
    if (i > 0 && i % kGroupLength == 0) {
      code.push_back('-');
    }
    code.push_back(kAlphabet[randombytes_uniform(static_cast<uint32_t>(kAlphabet.size()))]);
  }
  return code;
}

}  // namespace

absl::StatusOr<std::string> NormalizeRecoveryCode(std::string_view input) {
  std::string out;
  for (char c : input) {
    if (c == '-' || c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      continue;
    }
    const char canonical = Canonical(c);
    if (canonical == 0 || out.size() == kRecoveryCodeLength) {
      return absl::InvalidArgumentError(
          "recovery_code: must be 12 letters and digits, like xxxx-xxxx-xxxx");
    }
    out.push_back(canonical);
  }
  if (out.size() != kRecoveryCodeLength) {
    return absl::InvalidArgumentError(
        "recovery_code: must be 12 letters and digits, like xxxx-xxxx-xxxx");
  }
  return out;
}

absl::StatusOr<std::string> HashRecoveryCode(std::string_view input, std::string_view user_id) {
  absl::StatusOr<std::string> normalized = NormalizeRecoveryCode(input);
  if (!normalized.ok()) {
    return normalized.status();
  }
  return HashNormalized(*normalized, user_id);
}

RecoveryCodeSet GenerateRecoveryCodes(std::string_view user_id, int count) {
  EnsureSodiumInitialized();
  count = std::clamp(count, 1, kMaxCount);
  RecoveryCodeSet set;
  absl::flat_hash_set<std::string> seen;
  while (set.codes.size() < static_cast<size_t>(count)) {
    std::string code = RandomCode();
    if (!seen.insert(code).second) {
      continue;  // a 2^-60 event, but duplicates would make one code count twice
    }
    // The generated text is always well-formed, so hashing it cannot fail.
    set.hashes.push_back(*HashRecoveryCode(code, user_id));
    set.codes.push_back(std::move(code));
  }
  return set;
}

std::optional<size_t> FindRecoveryCode(std::string_view input, std::string_view user_id,
                                       absl::Span<const std::string> stored_hashes) {
  absl::StatusOr<std::string> hash = HashRecoveryCode(input, user_id);
  if (!hash.ok()) {
    return std::nullopt;
  }
  std::optional<size_t> found;
  for (size_t i = 0; i < stored_hashes.size(); ++i) {
    const bool equal = ConstantTimeEquals(*hash, stored_hashes[i]);
    if (equal && !found) {
      found = i;
    }
  }
  return found;
}

}  // namespace backoffice::users
