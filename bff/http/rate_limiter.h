#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace backoffice::bff::http {

/// Token buckets by key (a client address, a user): each key may spend `burst` requests at once
/// and regains `rate_per_second`. Keys are spread over shards, each with its own mutex, so
/// concurrent requests rarely contend. Thread-safe.
///
///   RateLimiter limiter({.rate_per_second = 50, .burst = 100});
///   if (RateLimiter::Decision d = limiter.Acquire(request.client_address); !d.allowed) {
///     ... 429 with Retry-After: d.retry_after_seconds
///   }
class RateLimiter {
 public:
  struct Options {
    double rate_per_second = 50;
    double burst = 100;
    size_t shards = 32;
    /// Past this many keys in a shard, idle (full) buckets are dropped; if none is idle, the
    /// oldest-looking one goes. Bounds memory under address-spraying clients.
    size_t max_keys_per_shard = 4096;
  };

  struct Decision {
    bool allowed = true;
    /// Whole seconds until one token is back (at least 1), when not allowed.
    int retry_after_seconds = 0;
  };

  explicit RateLimiter(
      Options options, std::function<absl::Time()> clock = [] { return absl::Now(); });

  /// Takes one token from `key`'s bucket if it has one.
  Decision Acquire(std::string_view key);

 private:
  struct Bucket {
    double tokens = 0;
    absl::Time updated;
  };
  struct Shard {
    absl::Mutex mutex;
    absl::flat_hash_map<std::string, Bucket> buckets ABSL_GUARDED_BY(mutex);
  };

  void Evict(Shard& shard, absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mutex);

  const Options options_;
  const std::function<absl::Time()> clock_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace backoffice::bff::http
