#include "services/audit/checkpoint_signer.h"

#include <openssl/evp.h>

#include "absl/strings/str_cat.h"
#include "libs/jwt/signature.h"
#include "services/audit/store/canonical_event.h"

namespace backoffice::audit {

std::string CheckpointMessage(int64_t sequence, std::string_view hash, absl::Time sign_time) {
  return absl::StrCat("backoffice-audit-checkpoint/v1\n", sequence, "\n",
                      absl::string_view(hash.data(), hash.size()), "\n",
                      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", sign_time, absl::UTCTimeZone()));
}

absl::StatusOr<std::unique_ptr<CheckpointSigner>> CheckpointSigner::FromKey(jwt::PrivateKey key) {
  if (key.algorithm() != jwt::Algorithm::kEdDsa) {
    return absl::InvalidArgumentError("checkpoint key: must be an Ed25519 private key");
  }
  unsigned char raw[32];
  size_t size = sizeof(raw);
  if (EVP_PKEY_get_raw_public_key(key.evp(), raw, &size) != 1 || size != sizeof(raw)) {
    return absl::InvalidArgumentError("checkpoint key: cannot read the Ed25519 public key");
  }
  std::string public_key(reinterpret_cast<const char*>(raw), size);
  std::string key_id = absl::StrCat("ed25519-", Sha256Hex(public_key).substr(0, 16));
  return std::unique_ptr<CheckpointSigner>(
      new CheckpointSigner(std::move(key), std::move(key_id), std::move(public_key)));
}

absl::StatusOr<std::unique_ptr<CheckpointSigner>> CheckpointSigner::FromPem(std::string_view pem) {
  absl::StatusOr<jwt::PrivateKey> key = jwt::PrivateKey::FromPem(pem, "");
  if (!key.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("checkpoint key: not a PEM private key: ", key.status().message()));
  }
  return FromKey(*std::move(key));
}

absl::StatusOr<std::unique_ptr<CheckpointSigner>> CheckpointSigner::Generate() {
  absl::StatusOr<jwt::PrivateKey> key = jwt::PrivateKey::Generate(jwt::Algorithm::kEdDsa, "");
  if (!key.ok()) return key.status();
  return FromKey(*std::move(key));
}

absl::StatusOr<SignedCheckpoint> CheckpointSigner::Sign(const ChainHead& head,
                                                        absl::Time now) const {
  SignedCheckpoint checkpoint{.sequence = head.sequence,
                              .hash = head.hash,
                              .sign_time = absl::FromUnixSeconds(absl::ToUnixSeconds(now)),
                              .key_id = key_id_,
                              .public_key = public_key_};
  absl::StatusOr<std::string> signature = jwt::SignBytes(
      key_, CheckpointMessage(checkpoint.sequence, checkpoint.hash, checkpoint.sign_time));
  if (!signature.ok()) return signature.status();
  checkpoint.signature = *std::move(signature);
  return checkpoint;
}

}  // namespace backoffice::audit
