#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "libs/jwt/algorithm.h"
#include "libs/jwt/openssl_util.h"

namespace backoffice::jwt {

/// Limits every key this library accepts, from PEM, JWK or generation.
inline constexpr int kMinRsaBits = 2048;
/// Bigger RSA keys would only make verification slower (a JWKS could use that for denial of
/// service); no issuer uses more.
inline constexpr int kMaxRsaBits = 8192;

/// A public key that verifies exactly one JWS algorithm (see Algorithm), with its `kid`.
/// Accepted keys: RSA 2048..8192 bits with an odd public exponent >= 3, EC on P-256, Ed25519.
/// Move-only; safe to use from many threads at once for verification.
class PublicKey {
 public:
  /// Loads a SubjectPublicKeyInfo PEM ("BEGIN PUBLIC KEY").
  static absl::StatusOr<PublicKey> FromPem(std::string_view pem, std::string kid);

  /// Takes an OpenSSL key (public, or private whose public half is used), checking it as above.
  static absl::StatusOr<PublicKey> FromEvp(internal::EvpPkeyPtr pkey, std::string kid);

  PublicKey(PublicKey&&) noexcept = default;
  PublicKey& operator=(PublicKey&&) noexcept = default;
  PublicKey(const PublicKey&) = delete;
  PublicKey& operator=(const PublicKey&) = delete;

  /// The one algorithm this key verifies.
  Algorithm algorithm() const { return algorithm_; }
  /// The key id ("" if it has none).
  const std::string& kid() const { return kid_; }
  /// Key size in bits (RSA modulus size; 256 for P-256 and Ed25519).
  int bits() const;
  /// The OpenSSL key (owned by this object).
  EVP_PKEY* evp() const { return pkey_.get(); }

  /// SubjectPublicKeyInfo PEM.
  absl::StatusOr<std::string> ToPem() const;

  /// The public JWK (RFC 7517/7518/8037): kty and its members, plus kid (if any), use "sig" and
  /// alg.
  absl::StatusOr<boost::json::object> ToJwk() const;

 private:
  PublicKey(internal::EvpPkeyPtr pkey, Algorithm algorithm, std::string kid)
      : pkey_(std::move(pkey)), algorithm_(algorithm), kid_(std::move(kid)) {}

  internal::EvpPkeyPtr pkey_;
  Algorithm algorithm_;
  std::string kid_;
};

/// A private signing key with its `kid`; same families and limits as PublicKey. Move-only.
class PrivateKey {
 public:
  /// Generates a fresh key: RSA (`rsa_bits`, default 2048), EC P-256 or Ed25519.
  static absl::StatusOr<PrivateKey> Generate(Algorithm algorithm, std::string kid,
                                             int rsa_bits = kMinRsaBits);

  /// Loads an unencrypted PKCS#8 ("BEGIN PRIVATE KEY") or traditional PEM private key. A PEM that
  /// asks for a passphrase is refused (the users service encrypts keys itself).
  static absl::StatusOr<PrivateKey> FromPem(std::string_view pem, std::string kid);

  PrivateKey(PrivateKey&&) noexcept = default;
  PrivateKey& operator=(PrivateKey&&) noexcept = default;
  PrivateKey(const PrivateKey&) = delete;
  PrivateKey& operator=(const PrivateKey&) = delete;

  /// The one algorithm this key signs.
  Algorithm algorithm() const { return algorithm_; }
  /// The key id put in the JWS header ("" for none).
  const std::string& kid() const { return kid_; }
  /// The OpenSSL key (owned by this object).
  EVP_PKEY* evp() const { return pkey_.get(); }

  /// Unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY"). Secret: store it encrypted.
  absl::StatusOr<std::string> ToPem() const;

  /// The public half, with the same kid, holding no private material.
  absl::StatusOr<PublicKey> GetPublicKey() const;

 private:
  PrivateKey(internal::EvpPkeyPtr pkey, Algorithm algorithm, std::string kid)
      : pkey_(std::move(pkey)), algorithm_(algorithm), kid_(std::move(kid)) {}

  internal::EvpPkeyPtr pkey_;
  Algorithm algorithm_;
  std::string kid_;
};

namespace internal {
/// Checks a key against the accepted families and limits and returns its algorithm.
absl::StatusOr<Algorithm> ClassifyKey(EVP_PKEY* pkey);
}  // namespace internal

}  // namespace backoffice::jwt
