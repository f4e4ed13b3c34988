// Password hashing with argon2id (libsodium crypto_pwhash_str*), plus a dummy verification that
// costs the same as a real one, so a login for an unknown email takes as long as a wrong password.
//
//   absl::StatusOr<PasswordHasher> hasher = PasswordHasher::Create();  // default HashParams
//   absl::StatusOr<std::string> stored = hasher->Hash(password);       // "$argon2id$v=19$m=..."
//   ...
//   bool ok = user_found ? hasher->Verify(user.password_hash, password)
//                        : hasher->VerifyDummy(password);              // always false, same time
//   if (ok && hasher->NeedsRehash(user.password_hash)) { /* store hasher->Hash(password) */ }
//
// Thread-safe: every method is const and libsodium's pwhash functions are reentrant. Each Hash,
// Verify or VerifyDummy holds `memlimit` bytes of memory while it runs, so the caller should bound
// how many run at once (for example to the number of cores).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"

namespace backoffice::users {

/// Cost of one argon2id hash. libsodium always uses one lane (p = 1).
///
/// The default, 64 MiB and 2 passes (libsodium's INTERACTIVE level), is stronger than OWASP's
/// minimum (19 MiB, t = 2, p = 1) in memory, the dimension that hurts GPU attackers most. Measured
/// with `hash_timing` on this 2-vCPU machine: about 65 ms per hash or verify (README.md). The
/// floor that PasswordHasher::Create accepts is OWASP's: 19 MiB and 2 passes.
struct HashParams {
  /// Memory per hash, in bytes; at least kMinMemlimit.
  size_t memlimit = size_t{64} << 20;
  /// Passes over the memory (argon2's t); at least kMinOpslimit.
  uint64_t opslimit = 2;

  /// OWASP's minimum memory for t = 2: 19 MiB.
  static constexpr size_t kMinMemlimit = size_t{19} << 20;
  /// OWASP's minimum passes at 19 MiB.
  static constexpr uint64_t kMinOpslimit = 2;
};

/// Hashes and verifies passwords as self-describing argon2id strings
/// (`$argon2id$v=19$m=65536,t=2,p=1$<salt>$<hash>`, under 128 bytes): the salt (16 random bytes)
/// and the parameters travel inside the string, so old hashes verify after the defaults change.
class PasswordHasher final {
 public:
  /// Builds a hasher and precomputes the dummy hash VerifyDummy uses (one hash's time).
  /// INVALID_ARGUMENT if `params` is below OWASP's floor (19 MiB, t = 2) or above libsodium's
  /// limits.
  static absl::StatusOr<PasswordHasher> Create(HashParams params = {});

  /// A new argon2id string for `password` (any bytes, any length; the policy bounds it) with a
  /// fresh random salt. RESOURCE_EXHAUSTED if the memory cannot be allocated.
  absl::StatusOr<std::string> Hash(std::string_view password) const;

  /// Whether `password` matches `hash`. False too when `hash` is not a well-formed argon2id string
  /// (a corrupt row never lets anyone in). The comparison inside libsodium is constant-time; the
  /// run time depends on the parameters stored in `hash`, not on the password.
  bool Verify(std::string_view hash, std::string_view password) const;

  /// Runs a full verification of `password` against a dummy hash made with this hasher's
  /// parameters and returns false. Call it where a real Verify would run when the account does
  /// not exist or has no password, so both paths take the same time.
  bool VerifyDummy(std::string_view password) const;

  /// Whether `hash` was made with parameters other than this hasher's (or is not an argon2id
  /// string at all): after a successful Verify, store a fresh Hash of the password.
  bool NeedsRehash(std::string_view hash) const;

  /// The parameters new hashes use.
  const HashParams& params() const { return params_; }

 private:
  PasswordHasher(HashParams params, std::string dummy_hash)
      : params_(params), dummy_hash_(std::move(dummy_hash)) {}

  HashParams params_;
  std::string dummy_hash_;
};

}  // namespace backoffice::users
