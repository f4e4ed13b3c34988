#include "libs/jwt/openssl_util.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <cstdlib>

namespace backoffice::jwt::internal {

void EvpPkeyDeleter::operator()(EVP_PKEY* pkey) const { EVP_PKEY_free(pkey); }
void EvpPkeyCtxDeleter::operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
void EvpMdCtxDeleter::operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
void BignumDeleter::operator()(BIGNUM* bn) const { BN_free(bn); }
void BioDeleter::operator()(BIO* bio) const { BIO_free(bio); }

std::string OpenSslError(std::string_view what) {
  std::string message(what);
  unsigned long code = ERR_get_error();
  if (code != 0) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    message += ": ";
    message += buffer;
  }
  ERR_clear_error();
  return message;
}

void ClearOpenSslErrors() { ERR_clear_error(); }

std::string BignumBytes(const BIGNUM* bn, int width) {
  int size = BN_num_bytes(bn);
  if (width < size) {
    width = size;
  }
  std::string out(static_cast<size_t>(width), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), width);
  return out;
}

const EVP_MD* Sha256Md() {
  // Fetched once: an explicit fetch avoids OpenSSL 3's per-call implicit lookup. Never freed.
  static const EVP_MD* const md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (fetched == nullptr) {
      std::abort();  // no SHA-256 in libcrypto: nothing here can work
    }
    return fetched;
  }();
  return md;
}

std::string Sha256(std::string_view data) {
  std::string out(32, '\0');
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), &size,
                 Sha256Md(), nullptr) != 1 ||
      size != 32) {
    std::abort();  // hashing in memory cannot fail short of a broken libcrypto
  }
  return out;
}

}  // namespace backoffice::jwt::internal
