#include "libs/jwt/test_tokens.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <stdexcept>

#include "libs/jwt/base64url.h"
#include "libs/jwt/signature.h"

namespace backoffice::jwt::testing {
namespace {

PrivateKey MustGenerate(Algorithm algorithm, std::string kid) {
  absl::StatusOr<PrivateKey> key = PrivateKey::Generate(algorithm, std::move(kid));
  if (!key.ok()) {
    throw std::runtime_error(std::string(key.status().message()));
  }
  return *std::move(key);
}

}  // namespace

const PrivateKey& RsaKey() {
  static const PrivateKey* key = new PrivateKey(MustGenerate(Algorithm::kRs256, "rsa-1"));
  return *key;
}
const PrivateKey& OtherRsaKey() {
  static const PrivateKey* key = new PrivateKey(MustGenerate(Algorithm::kRs256, "rsa-2"));
  return *key;
}
const PrivateKey& EcKey() {
  static const PrivateKey* key = new PrivateKey(MustGenerate(Algorithm::kEs256, "ec-1"));
  return *key;
}
const PrivateKey& EdKey() {
  static const PrivateKey* key = new PrivateKey(MustGenerate(Algorithm::kEdDsa, "ed-1"));
  return *key;
}

std::string TokenWithSignature(std::string_view header_json, std::string_view payload_json,
                               std::string_view signature) {
  return Base64UrlEncode(header_json) + "." + Base64UrlEncode(payload_json) + "." +
         Base64UrlEncode(signature);
}

std::string SignedToken(std::string_view header_json, std::string_view payload_json,
                        const PrivateKey& key) {
  std::string input = Base64UrlEncode(header_json) + "." + Base64UrlEncode(payload_json);
  absl::StatusOr<std::string> signature = SignBytes(key, input);
  if (!signature.ok()) {
    throw std::runtime_error(std::string(signature.status().message()));
  }
  return input + "." + Base64UrlEncode(*signature);
}

std::string HmacSha256(std::string_view secret, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  size_t size = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, secret.data(), secret.size(),
                reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, sizeof(out),
                &size) == nullptr) {
    throw std::runtime_error("HMAC failed");
  }
  return std::string(reinterpret_cast<char*>(out), size);
}

}  // namespace backoffice::jwt::testing
