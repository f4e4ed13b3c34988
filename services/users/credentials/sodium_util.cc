#include "services/users/credentials/sodium_util.h"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>

namespace backoffice::users {

void EnsureSodiumInitialized() {
  // A function-local static is initialized once, and other threads wait for it (C++11 magic
  // statics), so sodium_init() runs exactly once whatever the callers do.
  static const bool initialized = [] { return sodium_init() >= 0; }();
  if (!initialized) {
    std::fputs("fatal: sodium_init() failed; refusing to handle credentials\n", stderr);
    std::abort();
  }
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  if (a.empty()) {
    return true;
  }
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string RandomBytes(size_t size) {
  EnsureSodiumInitialized();
  std::string out(size, '\0');
  randombytes_buf(out.data(), out.size());
  return out;
}

std::string Sha256(std::string_view data) {
  std::string out(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(out.data()),
                     reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return out;
}

}  // namespace backoffice::users
