// Encryption at rest for small secrets (JWT signing private keys, TOTP secrets) under a master
// key read from a file, with XChaCha20-Poly1305 (libsodium crypto_aead_xchacha20poly1305_ietf).
//
//   std::string key_bytes = ReadFile("/run/secrets/users-master-key");  // the caller reads it
//   absl::StatusOr<SecretBox> box = SecretBox::Create({.id = 2, .bytes = key_bytes},
//                                                     {{.id = 1, .bytes = old_key_bytes}});
//   std::string sealed = box->Seal(totp_secret, /*associated_data=*/user_id);  // store (bytea)
//   absl::StatusOr<std::string> secret = box->Open(sealed, user_id);
//   if (box->NeedsReseal(sealed)) { /* store box->Seal(*secret, user_id) */ }
//
// Sealed format: 1 byte format version (1), 1 byte master-key id, 24 bytes random nonce, then the
// ciphertext and its 16-byte tag (42 bytes of overhead). The version and key id are
// authenticated together with the caller's associated data, so a sealed value cannot be moved to
// another row (pass the row's id as associated data) or relabelled with another key id.
//
// Key rotation: give the new key a new id and make it active; keep old keys as retired keys so
// existing rows still open; re-seal rows whose NeedsReseal is true; drop the old key once no row
// uses it. Thread-safe after Create (everything is const).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace backoffice::users {

/// A master key: an id (stored in every sealed value) and exactly 32 raw bytes.
struct MasterKey {
  uint8_t id = 0;
  std::string_view bytes;
};

/// Seals and opens secrets under an active master key, opening with retired keys too.
class SecretBox final {
 public:
  /// Master key length in bytes.
  static constexpr size_t kKeyBytes = 32;
  /// Bytes a sealed value adds to its plaintext: version, key id, nonce, tag.
  static constexpr size_t kOverhead = 2 + 24 + 16;

  /// INVALID_ARGUMENT if a key is not exactly 32 bytes (say, a hex or base64 text file: write the
  /// raw bytes, e.g. `head -c 32 /dev/urandom`), or two keys share an id. The key bytes are copied
  /// and wiped from this object's memory when it is destroyed.
  static absl::StatusOr<SecretBox> Create(MasterKey active,
                                          absl::Span<const MasterKey> retired = {});

  SecretBox(SecretBox&&) noexcept;
  SecretBox& operator=(SecretBox&&) noexcept;
  ~SecretBox();

  /// Encrypts `plaintext` under the active key with a fresh random nonce, binding
  /// `associated_data` (for example the row id; may be empty).
  std::string Seal(std::string_view plaintext, std::string_view associated_data) const;

  /// Decrypts a Seal output. INVALID_ARGUMENT if it is too short or of an unknown format
  /// version; FAILED_PRECONDITION if its key id is not loaded; DATA_LOSS if authentication fails
  /// (tampered bytes, other associated data, or a different key under the same id).
  absl::StatusOr<std::string> Open(std::string_view sealed, std::string_view associated_data) const;

  /// Whether `sealed` uses a key other than the active one (re-seal it), or is malformed.
  bool NeedsReseal(std::string_view sealed) const;

  /// Id of the key Seal uses.
  uint8_t active_key_id() const { return active_key_id_; }

 private:
  // Key bytes that wipe themselves when destroyed (defined in the .cc).
  struct KeyMaterial;

  SecretBox();

  uint8_t active_key_id_ = 0;
  // unique_ptr keeps each key at one address, so moving the box never leaves a copy behind.
  std::map<uint8_t, std::unique_ptr<KeyMaterial>> keys_;
};

}  // namespace backoffice::users
