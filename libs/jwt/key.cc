#include "libs/jwt/key.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "libs/jwt/base64url.h"

namespace backoffice::jwt {
namespace {

using internal::BignumPtr;
using internal::BioPtr;
using internal::EvpPkeyPtr;
using internal::OpenSslError;

// Refuses any passphrase prompt: keys reach us unencrypted or not at all.
int NoPassphrase(char*, int, int, void*) { return -1; }

absl::StatusOr<BignumPtr> GetBignum(EVP_PKEY* pkey, const char* name) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1) {
    return absl::InternalError(OpenSslError(absl::StrCat("cannot read key parameter ", name)));
  }
  return BignumPtr(bn);
}

BioPtr MemoryBio(std::string_view data) {
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

absl::StatusOr<std::string> BioContents(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  if (size < 0) {
    return absl::InternalError("cannot read memory BIO");
  }
  return std::string(data, static_cast<size_t>(size));
}

}  // namespace

namespace internal {

absl::StatusOr<Algorithm> ClassifyKey(EVP_PKEY* pkey) {
  if (pkey == nullptr) {
    return absl::InvalidArgumentError("no key");
  }
  if (EVP_PKEY_is_a(pkey, "RSA")) {
    int bits = EVP_PKEY_get_bits(pkey);
    if (bits < kMinRsaBits) {
      return absl::InvalidArgumentError(
          absl::StrCat("RSA key has ", bits, " bits; at least ", kMinRsaBits, " are required"));
    }
    if (bits > kMaxRsaBits) {
      return absl::InvalidArgumentError(
          absl::StrCat("RSA key has ", bits, " bits; at most ", kMaxRsaBits, " are accepted"));
    }
    absl::StatusOr<BignumPtr> e = GetBignum(pkey, OSSL_PKEY_PARAM_RSA_E);
    if (!e.ok()) {
      return e.status();
    }
    // e = 1 would make every value its own signature; even exponents are not RSA.
    if (!BN_is_odd(e->get()) || BN_num_bits(e->get()) < 2 || BN_num_bits(e->get()) > 33) {
      return absl::InvalidArgumentError("RSA public exponent must be odd, >= 3 and < 2^33");
    }
    return Algorithm::kRs256;
  }
  if (EVP_PKEY_is_a(pkey, "EC")) {
    char group[64] = {};
    size_t length = 0;
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                       &length) != 1) {
      internal::ClearOpenSslErrors();
      return absl::InvalidArgumentError("EC key without a named curve");
    }
    if (std::strcmp(group, SN_X9_62_prime256v1) != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("EC curve ", group, " is not accepted; only P-256"));
    }
    return Algorithm::kEs256;
  }
  if (EVP_PKEY_is_a(pkey, "ED25519")) {
    return Algorithm::kEdDsa;
  }
  return absl::InvalidArgumentError("key type is not accepted (RSA, EC P-256 or Ed25519)");
}

}  // namespace internal

absl::StatusOr<PublicKey> PublicKey::FromPem(std::string_view pem, std::string kid) {
  BioPtr bio = MemoryBio(pem);
  EvpPkeyPtr pkey(PEM_read_bio_PUBKEY(bio.get(), nullptr, NoPassphrase, nullptr));
  if (pkey == nullptr) {
    return absl::InvalidArgumentError(OpenSslError("not a PEM public key"));
  }
  return FromEvp(std::move(pkey), std::move(kid));
}

absl::StatusOr<PublicKey> PublicKey::FromEvp(EvpPkeyPtr pkey, std::string kid) {
  absl::StatusOr<Algorithm> algorithm = internal::ClassifyKey(pkey.get());
  if (!algorithm.ok()) {
    return algorithm.status();
  }
  return PublicKey(std::move(pkey), *algorithm, std::move(kid));
}

int PublicKey::bits() const { return EVP_PKEY_get_bits(pkey_.get()); }

absl::StatusOr<std::string> PublicKey::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_PUBKEY(bio.get(), pkey_.get()) != 1) {
    return absl::InternalError(OpenSslError("cannot write public key PEM"));
  }
  return BioContents(bio.get());
}

absl::StatusOr<boost::json::object> PublicKey::ToJwk() const {
  boost::json::object jwk;
  switch (algorithm_) {
    case Algorithm::kRs256: {
      absl::StatusOr<BignumPtr> n = GetBignum(pkey_.get(), OSSL_PKEY_PARAM_RSA_N);
      absl::StatusOr<BignumPtr> e = GetBignum(pkey_.get(), OSSL_PKEY_PARAM_RSA_E);
      if (!n.ok() || !e.ok()) {
        return n.ok() ? e.status() : n.status();
      }
      jwk["kty"] = "RSA";
      jwk["n"] = Base64UrlEncode(internal::BignumBytes(n->get()));
      jwk["e"] = Base64UrlEncode(internal::BignumBytes(e->get()));
      break;
    }
    case Algorithm::kEs256: {
      absl::StatusOr<BignumPtr> x = GetBignum(pkey_.get(), OSSL_PKEY_PARAM_EC_PUB_X);
      absl::StatusOr<BignumPtr> y = GetBignum(pkey_.get(), OSSL_PKEY_PARAM_EC_PUB_Y);
      if (!x.ok() || !y.ok()) {
        return x.ok() ? y.status() : x.status();
      }
      jwk["kty"] = "EC";
      jwk["crv"] = "P-256";
      jwk["x"] = Base64UrlEncode(internal::BignumBytes(x->get(), 32));
      jwk["y"] = Base64UrlEncode(internal::BignumBytes(y->get(), 32));
      break;
    }
    case Algorithm::kEdDsa: {
      unsigned char raw[32];
      size_t size = sizeof(raw);
      if (EVP_PKEY_get_raw_public_key(pkey_.get(), raw, &size) != 1 || size != sizeof(raw)) {
        return absl::InternalError(OpenSslError("cannot read Ed25519 public key"));
      }
      jwk["kty"] = "OKP";
      jwk["crv"] = "Ed25519";
      jwk["x"] = Base64UrlEncode(std::string_view(reinterpret_cast<char*>(raw), size));
      break;
    }
  }
  if (!kid_.empty()) {
    jwk["kid"] = kid_;
  }
  jwk["use"] = "sig";
  jwk["alg"] = std::string(AlgorithmName(algorithm_));
  return jwk;
}

absl::StatusOr<PrivateKey> PrivateKey::Generate(Algorithm algorithm, std::string kid,
                                                int rsa_bits) {
  EVP_PKEY* raw = nullptr;
  switch (algorithm) {
    case Algorithm::kRs256:
      if (rsa_bits < kMinRsaBits || rsa_bits > kMaxRsaBits) {
        return absl::InvalidArgumentError(
            absl::StrCat("RSA key size must be ", kMinRsaBits, "..", kMaxRsaBits, " bits"));
      }
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(rsa_bits));
      break;
    case Algorithm::kEs256:
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
      break;
    case Algorithm::kEdDsa:
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
      break;
  }
  if (raw == nullptr) {
    return absl::InternalError(OpenSslError("key generation failed"));
  }
  return PrivateKey(EvpPkeyPtr(raw), algorithm, std::move(kid));
}

absl::StatusOr<PrivateKey> PrivateKey::FromPem(std::string_view pem, std::string kid) {
  BioPtr bio = MemoryBio(pem);
  EvpPkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  if (pkey == nullptr) {
    return absl::InvalidArgumentError(OpenSslError("not an unencrypted PEM private key"));
  }
  absl::StatusOr<Algorithm> algorithm = internal::ClassifyKey(pkey.get());
  if (!algorithm.ok()) {
    return algorithm.status();
  }
  return PrivateKey(std::move(pkey), *algorithm, std::move(kid));
}

absl::StatusOr<std::string> PrivateKey::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_PrivateKey(bio.get(), pkey_.get(), nullptr, nullptr, 0,
                                                 nullptr, nullptr) != 1) {
    return absl::InternalError(OpenSslError("cannot write private key PEM"));
  }
  return BioContents(bio.get());
}

absl::StatusOr<PublicKey> PrivateKey::GetPublicKey() const {
  // A DER round trip through SubjectPublicKeyInfo leaves the private half behind.
  unsigned char* der = nullptr;
  int size = i2d_PUBKEY(pkey_.get(), &der);
  if (size <= 0) {
    return absl::InternalError(OpenSslError("cannot encode public key"));
  }
  const unsigned char* cursor = der;
  EvpPkeyPtr pub(d2i_PUBKEY(nullptr, &cursor, size));
  OPENSSL_free(der);
  if (pub == nullptr) {
    return absl::InternalError(OpenSslError("cannot decode public key"));
  }
  return PublicKey::FromEvp(std::move(pub), kid_);
}

}  // namespace backoffice::jwt
