#include "services/users/credentials/totp.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "boost/url/encode.hpp"
#include "boost/url/rfc/unreserved_chars.hpp"
#include "services/users/credentials/base32.h"
#include "services/users/credentials/sodium_util.h"

namespace backoffice::users {
namespace {

constexpr int kMaxWindow = 10;

std::string PercentEncode(std::string_view text) {
  return boost::urls::encode(boost::urls::string_view(text.data(), text.size()),
                             boost::urls::unreserved_chars);
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t quotient = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) {
    --quotient;
  }
  return quotient;
}

}  // namespace

absl::StatusOr<Totp> Totp::Create(TotpParams params) {
  if (params.digits < 6 || params.digits > 8) {
    return absl::InvalidArgumentError("totp: digits must be 6 to 8");
  }
  if (params.period_seconds < 1) {
    return absl::InvalidArgumentError("totp: period must be at least 1 second");
  }
  return Totp(params);
}

std::string Totp::GenerateSecret() { return RandomBytes(kSecretBytes); }

int64_t Totp::StepAt(absl::Time time) const {
  return FloorDiv(absl::ToUnixSeconds(time), params_.period_seconds);
}

std::string Totp::CodeAtStep(std::string_view secret, int64_t step) const {
  // RFC 4226 5.3: HMAC-SHA1 over the 8-byte big-endian counter, dynamic truncation, modulo.
  std::array<unsigned char, 8> counter;
  auto value = static_cast<uint64_t>(step);
  for (int i = 7; i >= 0; --i) {
    counter[i] = static_cast<unsigned char>(value & 0xFF);
    value >>= 8;
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac;
  unsigned int mac_length = 0;
  if (HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()), counter.data(),
           counter.size(), mac.data(), &mac_length) == nullptr ||
      mac_length != 20) {
    std::abort();  // HMAC-SHA1 on in-memory buffers cannot fail short of a broken OpenSSL
  }
  const int offset = mac[19] & 0x0F;
  const uint32_t binary = (static_cast<uint32_t>(mac[offset] & 0x7F) << 24) |
                          (static_cast<uint32_t>(mac[offset + 1]) << 16) |
                          (static_cast<uint32_t>(mac[offset + 2]) << 8) |
                          static_cast<uint32_t>(mac[offset + 3]);
  uint32_t modulus = 1;
  for (int i = 0; i < params_.digits; ++i) {
    modulus *= 10;
  }
  std::string code = std::to_string(binary % modulus);
  code.insert(0, static_cast<size_t>(params_.digits) - code.size(), '0');
  return code;
}

std::optional<int64_t> Totp::Verify(std::string_view secret, std::string_view code, absl::Time now,
                                    std::optional<int64_t> last_used_step, int window) const {
  if (code.size() != static_cast<size_t>(params_.digits) ||
      !std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  window = std::clamp(window, 0, kMaxWindow);
  const int64_t current = StepAt(now);
  std::optional<int64_t> matched;
  for (int64_t step = current - window; step <= current + window; ++step) {
    const bool equal = ConstantTimeEquals(CodeAtStep(secret, step), code);
    const bool fresh = !last_used_step || step > *last_used_step;
    if (equal && fresh && !matched) {
      matched = step;
    }
  }
  return matched;
}

absl::StatusOr<std::string> Totp::Uri(std::string_view issuer, std::string_view account,
                                      std::string_view secret) const {
  if (issuer.empty() || issuer.find(':') != std::string_view::npos) {
    return absl::InvalidArgumentError("totp: issuer must be non-empty and contain no ':'");
  }
  if (account.empty()) {
    return absl::InvalidArgumentError("totp: account must be non-empty");
  }
  if (secret.empty()) {
    return absl::InvalidArgumentError("totp: secret must be non-empty");
  }
  const std::string encoded_issuer = PercentEncode(issuer);
  return absl::StrCat("otpauth://totp/", encoded_issuer, ":", PercentEncode(account),
                      "?secret=", Base32Encode(secret), "&issuer=", encoded_issuer,
                      "&algorithm=SHA1&digits=", params_.digits,
                      "&period=", params_.period_seconds);
}

}  // namespace backoffice::users
