#include "libs/jwt/verified_token_cache.h"

#include <algorithm>
#include <cstring>

#include "libs/jwt/openssl_util.h"

namespace backoffice::jwt {

size_t VerifiedTokenCache::DigestHash::operator()(const Digest& digest) const {
  size_t hash = 0;
  std::memcpy(&hash, digest.data(), sizeof(hash));  // SHA-256 bytes are already uniform
  return hash;
}

VerifiedTokenCache::VerifiedTokenCache(VerifiedTokenCacheOptions options) {
  size_t shards = std::max<size_t>(1, options.shards);
  per_shard_ = std::max<size_t>(1, options.max_entries / shards);
  for (size_t i = 0; i < shards; ++i) {
    shards_.push_back(std::make_unique<Shard>());
  }
}

VerifiedTokenCache::Digest VerifiedTokenCache::Hash(std::string_view token) {
  std::string sha = internal::Sha256(token);
  Digest digest;
  std::memcpy(digest.data(), sha.data(), digest.size());
  return digest;
}

VerifiedTokenCache::Shard& VerifiedTokenCache::ShardFor(const Digest& digest) {
  // Bytes 8..15: independent of the bytes the hash map uses.
  uint64_t bits = 0;
  std::memcpy(&bits, digest.data() + 8, sizeof(bits));
  return *shards_[bits % shards_.size()];
}

std::shared_ptr<const Claims> VerifiedTokenCache::Lookup(std::string_view token, absl::Time now) {
  Digest digest = Hash(token);
  Shard& shard = ShardFor(digest);
  {
    absl::MutexLock lock(&shard.mu);
    auto it = shard.index.find(digest);
    if (it != shard.index.end()) {
      if (now < it->second->expires) {
        shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
        hits_.fetch_add(1, std::memory_order_relaxed);
        return it->second->claims;
      }
      shard.lru.erase(it->second);
      shard.index.erase(it);
    }
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  return nullptr;
}

void VerifiedTokenCache::Insert(std::string_view token, Claims claims, absl::Time now) {
  if (now >= claims.exp) {
    return;
  }
  Digest digest = Hash(token);
  absl::Time expires = claims.exp;
  auto shared = std::make_shared<const Claims>(std::move(claims));
  Shard& shard = ShardFor(digest);
  absl::MutexLock lock(&shard.mu);
  if (auto it = shard.index.find(digest); it != shard.index.end()) {
    it->second->claims = std::move(shared);
    it->second->expires = expires;
    shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
    return;
  }
  while (shard.lru.size() >= per_shard_) {
    shard.index.erase(shard.lru.back().digest);
    shard.lru.pop_back();
  }
  shard.lru.push_front(Entry{digest, std::move(shared), expires});
  shard.index.emplace(digest, shard.lru.begin());
}

void VerifiedTokenCache::Clear() {
  for (auto& shard : shards_) {
    absl::MutexLock lock(&shard->mu);
    shard->index.clear();
    shard->lru.clear();
  }
}

size_t VerifiedTokenCache::size() const {
  size_t total = 0;
  for (const auto& shard : shards_) {
    absl::MutexLock lock(&shard->mu);
    total += shard->lru.size();
  }
  return total;
}

CachingVerifier::CachingVerifier(std::shared_ptr<const TokenVerifier> inner,
                                 VerifiedTokenCacheOptions options, size_t max_token_bytes)
    : inner_(std::move(inner)),
      cache_(std::make_unique<VerifiedTokenCache>(options)),
      max_token_bytes_(max_token_bytes) {}

absl::StatusOr<Claims> CachingVerifier::Verify(std::string_view token, absl::Time now) const {
  if (token.size() > max_token_bytes_) {
    return inner_->Verify(token, now);
  }
  if (std::shared_ptr<const Claims> hit = cache_->Lookup(token, now)) {
    return *hit;
  }
  absl::StatusOr<Claims> claims = inner_->Verify(token, now);
  if (claims.ok()) {
    cache_->Insert(token, *claims, now);
  }
  return claims;
}

}  // namespace backoffice::jwt
