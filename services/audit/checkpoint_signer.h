// Signs checkpoints of the chain head with the service's Ed25519 key (contract:
// proto/audit/v1/audit.proto, Checkpoint).
//
//   absl::StatusOr<std::unique_ptr<CheckpointSigner>> signer = CheckpointSigner::FromPem(pem);
//   absl::StatusOr<SignedCheckpoint> checkpoint = (*signer)->Sign(head, absl::Now());
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/jwt/key.h"
#include "services/audit/store/event.h"

namespace backoffice::audit {

/// A signed statement of the head.
struct SignedCheckpoint {
  int64_t sequence = 0;
  std::string hash;
  /// Whole seconds.
  absl::Time sign_time;
  /// 64 bytes.
  std::string signature;
  std::string key_id;
  /// 32 raw bytes.
  std::string public_key;
};

/// The bytes a checkpoint signature covers:
/// "backoffice-audit-checkpoint/v1\n<sequence>\n<hash>\n<sign_time RFC 3339 UTC, seconds>".
std::string CheckpointMessage(int64_t sequence, std::string_view hash, absl::Time sign_time);

/// Thread-safe.
class CheckpointSigner final {
 public:
  /// From an unencrypted PKCS#8 PEM Ed25519 private key (`openssl genpkey -algorithm ed25519`).
  /// INVALID_ARGUMENT for anything else. The key id is "ed25519-" + the first 16 hex characters
  /// of SHA-256 of the raw public key.
  static absl::StatusOr<std::unique_ptr<CheckpointSigner>> FromPem(std::string_view pem);

  /// A fresh random key (only behind --allow_ephemeral_checkpoint_key: its checkpoints cannot be
  /// checked after a restart).
  static absl::StatusOr<std::unique_ptr<CheckpointSigner>> Generate();

  /// Signs `head` at `now` (truncated to whole seconds).
  absl::StatusOr<SignedCheckpoint> Sign(const ChainHead& head, absl::Time now) const;

  const std::string& key_id() const { return key_id_; }
  const std::string& public_key() const { return public_key_; }

 private:
  static absl::StatusOr<std::unique_ptr<CheckpointSigner>> FromKey(jwt::PrivateKey key);
  CheckpointSigner(jwt::PrivateKey key, std::string key_id, std::string public_key)
      : key_(std::move(key)), key_id_(std::move(key_id)), public_key_(std::move(public_key)) {}

  jwt::PrivateKey key_;
  std::string key_id_;
  std::string public_key_;
};

}  // namespace backoffice::audit
