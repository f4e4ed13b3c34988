#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "libs/jwt/key_set.h"

namespace backoffice::jwt {

/// Where a Verifier gets its trusted keys. Implementations are thread-safe.
class KeySource {
 public:
  virtual ~KeySource() = default;

  /// The current key set to verify a token whose header has `kid` (nullopt: the token has no
  /// kid). A source that can refresh (JwksCache) may do so first when `kid` is not in its set.
  /// Never returns null (an empty set when there are no keys).
  virtual std::shared_ptr<const KeySet> GetKeys(std::optional<std::string_view> kid) = 0;
};

/// A fixed key set, e.g. the users service verifying with its own keys in process.
class StaticKeySource final : public KeySource {
 public:
  explicit StaticKeySource(KeySet keys) : keys_(std::make_shared<const KeySet>(std::move(keys))) {}

  std::shared_ptr<const KeySet> GetKeys(std::optional<std::string_view>) override { return keys_; }

 private:
  std::shared_ptr<const KeySet> keys_;
};

}  // namespace backoffice::jwt
