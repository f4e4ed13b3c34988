#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/jwt/claims.h"
#include "libs/jwt/token_verifier.h"

namespace backoffice::jwt {

/// Bounds of a VerifiedTokenCache.
struct VerifiedTokenCacheOptions {
  /// Total entries over all shards; the least recently used entry of a full shard goes first.
  size_t max_entries = 100'000;
  /// Independent LRU shards, each with its own mutex, so threads rarely contend.
  size_t shards = 16;
};

/// Remembers successfully verified tokens, keyed by the SHA-256 of the token (the token itself is
/// not stored), until the token's `exp` and never longer. Thread-safe. Entries are tied to the
/// verifier that produced them: use one cache per verifier configuration.
///
/// A key removed from the JWKS does not evict tokens it signed; they stay accepted until their
/// exp (15 minutes for the users service's tokens). Call Clear() to drop everything at once.
///
///   VerifiedTokenCache cache;
///   if (std::shared_ptr<const Claims> hit = cache.Lookup(token, now)) { ... }
///   else if (auto claims = verifier.Verify(token, now); claims.ok()) cache.Insert(token, *claims,
///   now);
class VerifiedTokenCache {
 public:
  explicit VerifiedTokenCache(VerifiedTokenCacheOptions options = {});

  /// The claims of `token` if it was inserted and `now` is before its exp; counts a hit or a
  /// miss.
  std::shared_ptr<const Claims> Lookup(std::string_view token, absl::Time now);

  /// Remembers `claims` for `token` until claims.exp. Does nothing if `now` is not before exp.
  void Insert(std::string_view token, Claims claims, absl::Time now);

  /// Forgets every entry.
  void Clear();

  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }
  /// Entries currently held (expired ones included until they are looked up or pushed out).
  size_t size() const;

 private:
  using Digest = std::array<uint8_t, 32>;
  struct DigestHash {
    size_t operator()(const Digest& digest) const;
  };
  struct Entry {
    Digest digest;
    std::shared_ptr<const Claims> claims;
    absl::Time expires;
  };
  struct Shard {
    mutable absl::Mutex mu;
    std::list<Entry> lru ABSL_GUARDED_BY(mu);  // most recently used first
    absl::flat_hash_map<Digest, std::list<Entry>::iterator, DigestHash> index ABSL_GUARDED_BY(mu);
  };

  static Digest Hash(std::string_view token);
  Shard& ShardFor(const Digest& digest);

  size_t per_shard_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
};

/// A TokenVerifier with a VerifiedTokenCache in front: a token seen before and not yet expired
/// is answered from the cache without a signature check.
class CachingVerifier final : public TokenVerifier {
 public:
  /// `max_token_bytes`: longer tokens skip the cache (and the inner verifier refuses them)
  /// so they are never hashed.
  CachingVerifier(std::shared_ptr<const TokenVerifier> inner,
                  VerifiedTokenCacheOptions options = {}, size_t max_token_bytes = 8192);

  absl::StatusOr<Claims> Verify(std::string_view token, absl::Time now) const override;

  /// The cache, for its counters.
  VerifiedTokenCache& cache() const { return *cache_; }

 private:
  std::shared_ptr<const TokenVerifier> inner_;
  std::unique_ptr<VerifiedTokenCache> cache_;
  size_t max_token_bytes_;
};

}  // namespace backoffice::jwt
