// Small libsodium helpers shared by the credential classes: one-time initialization, constant-time
// comparison, random bytes and SHA-256.
//
//   EnsureSodiumInitialized();  // once before any direct libsodium call; cheap after the first
//   std::string digest = Sha256(token);
//   bool same = ConstantTimeEquals(digest, stored_digest);
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace backoffice::users {

/// Initializes libsodium exactly once per process; thread-safe, and cheap on later calls. Every
/// class in this folder calls it before touching libsodium. Aborts the process if libsodium cannot
/// initialize (no usable randomness source): no credential can be handled safely then.
void EnsureSodiumInitialized();

/// Whether `a` and `b` hold the same bytes. The time taken depends only on the lengths (which are
/// not secret here: every caller compares fixed-size digests or codes), never on where the first
/// difference is.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

/// `size` bytes from libsodium's CSPRNG (randombytes_buf).
std::string RandomBytes(size_t size);

/// The 32-byte SHA-256 digest of `data`, as raw bytes.
std::string Sha256(std::string_view data);

}  // namespace backoffice::users
