#include "bff/http/rate_limiter.h"

#include <algorithm>
#include <cmath>

#include "absl/hash/hash.h"

namespace backoffice::bff::http {

RateLimiter::RateLimiter(Options options, std::function<absl::Time()> clock)
    : options_(options), clock_(std::move(clock)) {
  size_t shards = std::max<size_t>(1, options_.shards);
  for (size_t i = 0; i < shards; ++i) {
    shards_.push_back(std::make_unique<Shard>());
  }
}

RateLimiter::Decision RateLimiter::Acquire(std::string_view key) {
  absl::string_view absl_key(key.data(), key.size());
  Shard& shard = *shards_[absl::HashOf(absl_key) % shards_.size()];
  absl::Time now = clock_();
  absl::MutexLock lock(&shard.mutex);
  auto it = shard.buckets.find(absl_key);
  if (it == shard.buckets.end()) {
    if (shard.buckets.size() >= options_.max_keys_per_shard) {
      Evict(shard, now);
    }
    it = shard.buckets.emplace(std::string(key), Bucket{options_.burst, now}).first;
  }
  Bucket& bucket = it->second;
  double elapsed = std::max(0.0, absl::ToDoubleSeconds(now - bucket.updated));
  bucket.tokens = std::min(options_.burst, bucket.tokens + elapsed * options_.rate_per_second);
  bucket.updated = now;
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return Decision{true, 0};
  }
  double wait =
      options_.rate_per_second > 0 ? (1 - bucket.tokens) / options_.rate_per_second : 3600;
  return Decision{false, std::max(1, static_cast<int>(std::ceil(wait)))};
}

void RateLimiter::Evict(Shard& shard, absl::Time now) {
  // A bucket that has refilled completely carries no state worth keeping.
  absl::Duration refill = options_.rate_per_second > 0
                              ? absl::Seconds(options_.burst / options_.rate_per_second)
                              : absl::InfiniteDuration();
  absl::erase_if(shard.buckets,
                 [&](const auto& entry) { return now - entry.second.updated >= refill; });
  if (shard.buckets.size() >= options_.max_keys_per_shard) {
    auto oldest = std::min_element(
        shard.buckets.begin(), shard.buckets.end(),
        [](const auto& a, const auto& b) { return a.second.updated < b.second.updated; });
    shard.buckets.erase(oldest);
  }
}

}  // namespace backoffice::bff::http
