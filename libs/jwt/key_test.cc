#include "libs/jwt/key.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <catch2/catch.hpp>

#include "libs/jwt/openssl_util.h"
#include "libs/jwt/signature.h"
#include "libs/jwt/test_tokens.h"

namespace backoffice::jwt {
namespace {

using internal::EvpPkeyPtr;

std::string PrivatePem(EVP_PKEY* pkey, const EVP_CIPHER* cipher = nullptr,
                       const char* passphrase = nullptr) {
  internal::BioPtr bio(BIO_new(BIO_s_mem()));
  REQUIRE(PEM_write_bio_PrivateKey(bio.get(), pkey, cipher,
                                   reinterpret_cast<const unsigned char*>(passphrase),
                                   passphrase == nullptr ? 0 : static_cast<int>(strlen(passphrase)),
                                   nullptr, nullptr) == 1);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

TEST_CASE("generated keys sign and their public halves verify, for every algorithm") {
  for (const PrivateKey* key : {&testing::RsaKey(), &testing::EcKey(), &testing::EdKey()}) {
    INFO(AlgorithmName(key->algorithm()));
    absl::StatusOr<PublicKey> pub = key->GetPublicKey();
    REQUIRE(pub.ok());
    CHECK(pub->kid() == key->kid());
    CHECK(pub->algorithm() == key->algorithm());
    absl::StatusOr<std::string> signature = SignBytes(*key, "header.payload");
    REQUIRE(signature.ok());
    size_t expected = key->algorithm() == Algorithm::kRs256 ? 256 : 64;
    CHECK(signature->size() == expected);
    CHECK(VerifyBytes(*pub, "header.payload", *signature).ok());
    absl::Status tampered = VerifyBytes(*pub, "header.payloaD", *signature);
    CHECK(tampered.code() == absl::StatusCode::kUnauthenticated);
    CHECK(tampered.message() == "signature does not verify");
    absl::Status truncated = VerifyBytes(*pub, "header.payload", signature->substr(1));
    CHECK(truncated.message() == "signature has the wrong length");
  }
}

TEST_CASE("private keys survive a PEM round trip and the public PEM holds no secret") {
  for (const PrivateKey* key : {&testing::RsaKey(), &testing::EcKey(), &testing::EdKey()}) {
    absl::StatusOr<std::string> pem = key->ToPem();
    REQUIRE(pem.ok());
    CHECK(pem->find("BEGIN PRIVATE KEY") != std::string::npos);
    absl::StatusOr<PrivateKey> loaded = PrivateKey::FromPem(*pem, "again");
    REQUIRE(loaded.ok());
    CHECK(loaded->kid() == "again");
    CHECK(loaded->algorithm() == key->algorithm());
    // What the reloaded key signs, the original public key verifies.
    absl::StatusOr<std::string> signature = SignBytes(*loaded, "x.y");
    REQUIRE(signature.ok());
    absl::StatusOr<PublicKey> pub = key->GetPublicKey();
    REQUIRE(pub.ok());
    CHECK(VerifyBytes(*pub, "x.y", *signature).ok());

    absl::StatusOr<std::string> public_pem = pub->ToPem();
    REQUIRE(public_pem.ok());
    CHECK(public_pem->find("BEGIN PUBLIC KEY") != std::string::npos);
    CHECK_FALSE(PrivateKey::FromPem(*public_pem, "k").ok());
    absl::StatusOr<PublicKey> reloaded = PublicKey::FromPem(*public_pem, "k");
    REQUIRE(reloaded.ok());
    CHECK(VerifyBytes(*reloaded, "x.y", *signature).ok());
  }
}

TEST_CASE("RSA keys under 2048 bits are refused everywhere") {
  CHECK(PrivateKey::Generate(Algorithm::kRs256, "k", 1024).status().code() ==
        absl::StatusCode::kInvalidArgument);
  EvpPkeyPtr small(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{1024}));
  REQUIRE(small != nullptr);
  absl::StatusOr<PrivateKey> loaded = PrivateKey::FromPem(PrivatePem(small.get()), "k");
  REQUIRE_FALSE(loaded.ok());
  CHECK(loaded.status().message() == "RSA key has 1024 bits; at least 2048 are required");
  CHECK_FALSE(PublicKey::FromEvp(std::move(small), "k").ok());
}

TEST_CASE("other curves and key types are refused") {
  EvpPkeyPtr p384(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
  REQUIRE(p384 != nullptr);
  absl::StatusOr<PublicKey> key = PublicKey::FromEvp(std::move(p384), "k");
  REQUIRE_FALSE(key.ok());
  CHECK(key.status().message() == "EC curve secp384r1 is not accepted; only P-256");
  EvpPkeyPtr x25519(EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519"));
  REQUIRE(x25519 != nullptr);
  CHECK_FALSE(PublicKey::FromEvp(std::move(x25519), "k").ok());
}

TEST_CASE("an encrypted PEM or garbage is refused without prompting") {
  EvpPkeyPtr pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  std::string encrypted = PrivatePem(pkey.get(), EVP_aes_256_cbc(), "secret");
  CHECK(encrypted.find("ENCRYPTED") != std::string::npos);
  CHECK(PrivateKey::FromPem(encrypted, "k").status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_FALSE(
      PrivateKey::FromPem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "k")
          .ok());
  CHECK_FALSE(PublicKey::FromPem("not a pem", "k").ok());
}

}  // namespace
}  // namespace backoffice::jwt
