#include "bff/http/rate_limiter.h"

#include <catch2/catch.hpp>

namespace backoffice::bff::http {
namespace {

TEST_CASE("a bucket spends its burst, then refills at its rate", "[rate_limiter]") {
  absl::Time now = absl::FromUnixSeconds(1000);
  RateLimiter limiter({.rate_per_second = 2, .burst = 3}, [&] { return now; });
  CHECK(limiter.Acquire("a").allowed);
  CHECK(limiter.Acquire("a").allowed);
  CHECK(limiter.Acquire("a").allowed);
  RateLimiter::Decision refused = limiter.Acquire("a");
  CHECK_FALSE(refused.allowed);
  CHECK(refused.retry_after_seconds == 1);
  // Another key has its own bucket.
  CHECK(limiter.Acquire("b").allowed);
  now += absl::Milliseconds(500);  // one token back at 2/s
  CHECK(limiter.Acquire("a").allowed);
  CHECK_FALSE(limiter.Acquire("a").allowed);
  now += absl::Seconds(60);  // never more than the burst
  CHECK(limiter.Acquire("a").allowed);
  CHECK(limiter.Acquire("a").allowed);
  CHECK(limiter.Acquire("a").allowed);
  CHECK_FALSE(limiter.Acquire("a").allowed);
}

TEST_CASE("Retry-After rounds up to whole seconds", "[rate_limiter]") {
  absl::Time now = absl::FromUnixSeconds(1000);
  RateLimiter limiter({.rate_per_second = 0.1, .burst = 1}, [&] { return now; });
  CHECK(limiter.Acquire("x").allowed);
  CHECK(limiter.Acquire("x").retry_after_seconds == 10);
  now += absl::Seconds(4);
  CHECK(limiter.Acquire("x").retry_after_seconds == 6);
}

TEST_CASE("memory stays bounded under many keys", "[rate_limiter]") {
  absl::Time now = absl::FromUnixSeconds(1000);
  RateLimiter limiter({.rate_per_second = 1, .burst = 1, .shards = 1, .max_keys_per_shard = 10},
                      [&] { return now; });
  for (int i = 0; i < 1000; ++i) {
    CHECK(limiter.Acquire("key" + std::to_string(i)).allowed);
  }
  // A recent key may have been evicted, which only ever errs on the side of allowing.
  CHECK(limiter.Acquire("fresh").allowed);
}

}  // namespace
}  // namespace backoffice::bff::http
