#include "services/users/credentials/password_hasher.h"

#include <sodium.h>

#include <array>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "services/users/credentials/sodium_util.h"

namespace backoffice::users {
namespace {

using HashBuffer = std::array<char, crypto_pwhash_STRBYTES>;

// libsodium reads hash strings up to a NUL; copy into a zeroed buffer, refusing strings that do
// not fit or carry an embedded NUL (which would make libsodium read only a prefix).
std::optional<HashBuffer> ToCString(std::string_view hash) {
  if (hash.size() >= crypto_pwhash_STRBYTES || hash.find('\0') != std::string_view::npos) {
    return std::nullopt;
  }
  HashBuffer buffer{};
  hash.copy(buffer.data(), hash.size());
  return buffer;
}

absl::StatusOr<std::string> HashWith(const HashParams& params, std::string_view password) {
  HashBuffer out{};
  if (crypto_pwhash_str(out.data(), password.data(), password.size(), params.opslimit,
                        params.memlimit) != 0) {
    return absl::ResourceExhaustedError(
        absl::StrCat("argon2id: cannot allocate ", params.memlimit >> 20, " MiB"));
  }
  return std::string(out.data());
}

}  // namespace

absl::StatusOr<PasswordHasher> PasswordHasher::Create(HashParams params) {
  EnsureSodiumInitialized();
  if (params.memlimit < HashParams::kMinMemlimit || params.opslimit < HashParams::kMinOpslimit) {
    return absl::InvalidArgumentError(
        absl::StrCat("argon2id parameters below OWASP's minimum (19 MiB, t=2): memlimit ",
                     params.memlimit, " bytes, opslimit ", params.opslimit));
  }
  if (params.memlimit > crypto_pwhash_MEMLIMIT_MAX ||
      params.opslimit > crypto_pwhash_OPSLIMIT_MAX) {
    return absl::InvalidArgumentError("argon2id parameters above libsodium's limits");
  }
  // The dummy's password is random and forgotten: nothing can ever match it.
  std::string secret = RandomBytes(32);
  absl::StatusOr<std::string> dummy = HashWith(params, secret);
  sodium_memzero(secret.data(), secret.size());
  if (!dummy.ok()) {
    return dummy.status();
  }
  return PasswordHasher(params, *std::move(dummy));
}

absl::StatusOr<std::string> PasswordHasher::Hash(std::string_view password) const {
  return HashWith(params_, password);
}

bool PasswordHasher::Verify(std::string_view hash, std::string_view password) const {
  std::optional<HashBuffer> buffer = ToCString(hash);
  if (!buffer) {
    return false;
  }
  return crypto_pwhash_str_verify(buffer->data(), password.data(), password.size()) == 0;
}

bool PasswordHasher::VerifyDummy(std::string_view password) const {
  // The result is ignored but the call is opaque to the compiler (a library call), so it runs.
  (void)Verify(dummy_hash_, password);
  return false;
}

bool PasswordHasher::NeedsRehash(std::string_view hash) const {
  std::optional<HashBuffer> buffer = ToCString(hash);
  if (!buffer) {
    return true;
  }
  return crypto_pwhash_str_needs_rehash(buffer->data(), params_.opslimit, params_.memlimit) != 0;
}

}  // namespace backoffice::users
