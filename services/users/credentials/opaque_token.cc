#include "services/users/credentials/opaque_token.h"

#include <sodium.h>

#include <algorithm>
#include <array>

#include "absl/status/status.h"
#include "services/users/credentials/sodium_util.h"

namespace backoffice::users {
namespace {

constexpr size_t kMaxPrefixLength = 16;
constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;

absl::Status Malformed() { return absl::InvalidArgumentError("token: malformed"); }

}  // namespace

absl::StatusOr<OpaqueTokenFormat> OpaqueTokenFormat::Create(std::string_view prefix) {
  EnsureSodiumInitialized();
  const bool valid_chars = std::all_of(prefix.begin(), prefix.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
  if (prefix.size() > kMaxPrefixLength || !valid_chars) {
    return absl::InvalidArgumentError("token prefix: must be 0 to 16 characters of [a-z0-9_]");
  }
  return OpaqueTokenFormat(std::string(prefix));
}

OpaqueToken OpaqueTokenFormat::Generate() const {
  std::string random = RandomBytes(kRandomBytes);
  std::array<char, sodium_base64_ENCODED_LEN(kRandomBytes, kVariant)> body{};
  sodium_bin2base64(body.data(), body.size(), reinterpret_cast<const unsigned char*>(random.data()),
                    random.size(), kVariant);
  sodium_memzero(random.data(), random.size());
  OpaqueToken out;
  out.token = prefix_ + std::string(body.data(), kBodyLength);
  out.hash = Sha256(out.token);
  return out;
}

absl::StatusOr<std::string> OpaqueTokenFormat::HashOf(std::string_view token) const {
  if (token.size() != token_length() || token.substr(0, prefix_.size()) != prefix_) {
    return Malformed();
  }
  const std::string_view body = token.substr(prefix_.size());
  std::array<unsigned char, kRandomBytes> decoded;
  size_t decoded_length = 0;
  const char* end = nullptr;
  // libsodium rejects characters outside the alphabet and non-zero unused bits; `end` and the
  // length make sure every character was consumed into exactly 32 bytes.
  if (sodium_base642bin(decoded.data(), decoded.size(), body.data(), body.size(), nullptr,
                        &decoded_length, &end, kVariant) != 0 ||
      decoded_length != kRandomBytes || end != body.data() + body.size()) {
    return Malformed();
  }
  return Sha256(token);
}

}  // namespace backoffice::users
