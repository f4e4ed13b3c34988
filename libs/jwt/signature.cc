#include "libs/jwt/signature.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "libs/jwt/openssl_util.h"

namespace backoffice::jwt {
namespace {

using internal::EvpMdCtxPtr;
using internal::OpenSslError;

constexpr size_t kEs256Half = 32;
constexpr size_t kEd25519SignatureSize = 64;

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// The digest to name for DigestSign/VerifyInit: none for Ed25519 (it hashes internally).
const EVP_MD* DigestFor(Algorithm algorithm) {
  return algorithm == Algorithm::kEdDsa ? nullptr : internal::Sha256Md();
}

struct EcdsaSigDeleter {
  void operator()(ECDSA_SIG* sig) const { ECDSA_SIG_free(sig); }
};
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, EcdsaSigDeleter>;

// DER ECDSA-Sig-Value -> R||S, each left-padded to 32 bytes.
absl::StatusOr<std::string> DerToRaw(std::string_view der) {
  const unsigned char* cursor = Bytes(der);
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(der.size())));
  if (sig == nullptr) {
    return absl::InternalError(OpenSslError("cannot decode ECDSA signature"));
  }
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  if (BN_num_bytes(r) > static_cast<int>(kEs256Half) ||
      BN_num_bytes(s) > static_cast<int>(kEs256Half)) {
    return absl::InternalError("ECDSA signature component too large");
  }
  return internal::BignumBytes(r, kEs256Half) + internal::BignumBytes(s, kEs256Half);
}

// R||S (64 bytes, checked by the caller) -> DER ECDSA-Sig-Value.
absl::StatusOr<std::string> RawToDer(std::string_view raw) {
  EcdsaSigPtr sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(Bytes(raw), kEs256Half, nullptr);
  BIGNUM* s = BN_bin2bn(Bytes(raw) + kEs256Half, kEs256Half, nullptr);
  if (sig == nullptr || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return absl::InternalError(OpenSslError("cannot build ECDSA signature"));
  }
  unsigned char* der = nullptr;
  int size = i2d_ECDSA_SIG(sig.get(), &der);
  if (size <= 0) {
    return absl::InternalError(OpenSslError("cannot encode ECDSA signature"));
  }
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(size));
  OPENSSL_free(der);
  return out;
}

size_t ExpectedSignatureSize(const PublicKey& key) {
  switch (key.algorithm()) {
    case Algorithm::kRs256:
      return static_cast<size_t>(EVP_PKEY_get_size(key.evp()));
    case Algorithm::kEs256:
      return 2 * kEs256Half;
    case Algorithm::kEdDsa:
      return kEd25519SignatureSize;
  }
  return 0;
}

}  // namespace

absl::StatusOr<std::string> SignBytes(const PrivateKey& key, std::string_view input) {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr ||
      EVP_DigestSignInit(ctx.get(), nullptr, DigestFor(key.algorithm()), nullptr, key.evp()) != 1) {
    return absl::InternalError(OpenSslError("cannot start signing"));
  }
  size_t size = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &size, Bytes(input), input.size()) != 1) {
    return absl::InternalError(OpenSslError("cannot size signature"));
  }
  std::string signature(size, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                     Bytes(input), input.size()) != 1) {
    return absl::InternalError(OpenSslError("signing failed"));
  }
  signature.resize(size);
  if (key.algorithm() == Algorithm::kEs256) {
    return DerToRaw(signature);
  }
  return signature;
}

absl::Status VerifyBytes(const PublicKey& key, std::string_view input, std::string_view signature) {
  if (signature.size() != ExpectedSignatureSize(key)) {
    return absl::UnauthenticatedError("signature has the wrong length");
  }
  std::string der;
  if (key.algorithm() == Algorithm::kEs256) {
    absl::StatusOr<std::string> converted = RawToDer(signature);
    if (!converted.ok()) {
      return converted.status();
    }
    der = *std::move(converted);
    signature = der;
  }
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr || EVP_DigestVerifyInit(ctx.get(), nullptr, DigestFor(key.algorithm()),
                                             nullptr, key.evp()) != 1) {
    return absl::InternalError(OpenSslError("cannot start verification"));
  }
  if (EVP_DigestVerify(ctx.get(), Bytes(signature), signature.size(), Bytes(input), input.size()) !=
      1) {
    internal::ClearOpenSslErrors();
    return absl::UnauthenticatedError("signature does not verify");
  }
  return absl::OkStatus();
}

}  // namespace backoffice::jwt
