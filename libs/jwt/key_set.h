#pragma once

#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "libs/jwt/key.h"

namespace backoffice::jwt {

/// An immutable set of public keys with distinct kids (a key without a kid counts as kid "").
/// Cheap to share between threads behind a std::shared_ptr<const KeySet>.
class KeySet {
 public:
  /// An empty set.
  KeySet() = default;

  /// Builds a set; INVALID_ARGUMENT if two keys share a kid.
  static absl::StatusOr<KeySet> Create(std::vector<PublicKey> keys);

  KeySet(KeySet&&) noexcept = default;
  KeySet& operator=(KeySet&&) noexcept = default;

  /// The key with this kid, or nullptr.
  const PublicKey* Find(std::string_view kid) const;

  /// All keys, in the order given.
  const std::vector<PublicKey>& keys() const { return keys_; }
  size_t size() const { return keys_.size(); }
  bool empty() const { return keys_.empty(); }

 private:
  std::vector<PublicKey> keys_;
  absl::flat_hash_map<std::string, size_t> by_kid_;
};

}  // namespace backoffice::jwt
