#include "libs/jwt/verified_token_cache.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

namespace backoffice::jwt {
namespace {

const absl::Time t0 = absl::FromUnixSeconds(1'700'000'000);

Claims ExpiringAt(absl::Time exp, std::string sub = "u") {
  Claims claims;
  claims.sub = std::move(sub);
  claims.exp = exp;
  return claims;
}

// A verifier that accepts tokens named "good-*" (exp t0 + 60 s) and counts its calls.
class CountingVerifier final : public TokenVerifier {
 public:
  absl::StatusOr<Claims> Verify(std::string_view token, absl::Time now) const override {
    ++calls;
    if (token.rfind("good-", 0) != 0) {
      return absl::UnauthenticatedError("bad");
    }
    if (now >= t0 + absl::Seconds(60)) {
      return absl::UnauthenticatedError("token has expired");
    }
    return ExpiringAt(t0 + absl::Seconds(60), std::string(token));
  }
  mutable std::atomic<int> calls{0};
};

TEST_CASE("entries live until exp and not a second longer") {
  VerifiedTokenCache cache;
  cache.Insert("token-a", ExpiringAt(t0 + absl::Seconds(60), "a"), t0);
  std::shared_ptr<const Claims> hit = cache.Lookup("token-a", t0);
  REQUIRE(hit != nullptr);
  CHECK(hit->sub == "a");
  CHECK(cache.Lookup("token-a", t0 + absl::Seconds(59)) != nullptr);
  CHECK(cache.Lookup("token-a", t0 + absl::Seconds(60)) == nullptr);
  CHECK(cache.size() == 0);  // the expired entry was dropped on lookup
  CHECK(cache.Lookup("token-b", t0) == nullptr);
  CHECK(cache.hits() == 2);
  CHECK(cache.misses() == 2);
}

TEST_CASE("already expired claims are not inserted") {
  VerifiedTokenCache cache;
  cache.Insert("token-a", ExpiringAt(t0), t0);
  cache.Insert("token-b", ExpiringAt(t0 - absl::Seconds(1)), t0);
  CHECK(cache.size() == 0);
}

TEST_CASE("the cache is bounded and evicts the least recently used") {
  VerifiedTokenCacheOptions options;
  options.max_entries = 4;
  options.shards = 1;
  VerifiedTokenCache cache(options);
  for (int i = 0; i < 4; ++i) {
    cache.Insert("t" + std::to_string(i), ExpiringAt(t0 + absl::Hours(1)), t0);
  }
  CHECK(cache.size() == 4);
  CHECK(cache.Lookup("t0", t0) != nullptr);  // t0 is now the most recent; t1 the oldest
  cache.Insert("t4", ExpiringAt(t0 + absl::Hours(1)), t0);
  CHECK(cache.size() == 4);
  CHECK(cache.Lookup("t1", t0) == nullptr);
  CHECK(cache.Lookup("t0", t0) != nullptr);
  CHECK(cache.Lookup("t4", t0) != nullptr);

  VerifiedTokenCacheOptions sharded;
  sharded.max_entries = 1000;
  sharded.shards = 16;
  VerifiedTokenCache big(sharded);
  for (int i = 0; i < 5000; ++i) {
    big.Insert("token-" + std::to_string(i), ExpiringAt(t0 + absl::Hours(1)), t0);
  }
  CHECK(big.size() <= 1000);
  CHECK(big.size() > 900);  // every shard is full: ~62 each
  big.Clear();
  CHECK(big.size() == 0);
}

TEST_CASE("re-inserting a token replaces its entry") {
  VerifiedTokenCache cache;
  cache.Insert("t", ExpiringAt(t0 + absl::Seconds(10), "first"), t0);
  cache.Insert("t", ExpiringAt(t0 + absl::Seconds(20), "second"), t0);
  CHECK(cache.size() == 1);
  CHECK(cache.Lookup("t", t0 + absl::Seconds(15))->sub == "second");
}

TEST_CASE("the caching verifier verifies each token once until it expires") {
  auto inner = std::make_shared<CountingVerifier>();
  CachingVerifier verifier(inner);
  CHECK(verifier.Verify("good-1", t0)->sub == "good-1");
  CHECK(verifier.Verify("good-1", t0 + absl::Seconds(1))->sub == "good-1");
  CHECK(verifier.Verify("good-1", t0 + absl::Seconds(59)).ok());
  CHECK(inner->calls == 1);
  CHECK(verifier.cache().hits() == 2);
  // At exp the cache no longer answers; the inner verifier decides again.
  CHECK(verifier.Verify("good-1", t0 + absl::Seconds(60)).status().message() ==
        "token has expired");
  CHECK(inner->calls == 2);
  // Failures are never cached.
  CHECK_FALSE(verifier.Verify("bad-1", t0).ok());
  CHECK_FALSE(verifier.Verify("bad-1", t0).ok());
  CHECK(inner->calls == 4);
  // Oversize tokens bypass the cache entirely.
  std::string huge = "good-" + std::string(10000, 'x');
  CHECK(verifier.Verify(huge, t0).ok());
  CHECK(verifier.Verify(huge, t0).ok());
  CHECK(inner->calls == 6);
  CHECK(verifier.cache().size() == 0);  // good-1 left at its exp; the huge token never entered
}

TEST_CASE("the cache is safe under concurrent use") {
  VerifiedTokenCacheOptions options;
  options.max_entries = 256;
  VerifiedTokenCache cache(options);
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        std::string token = "tok-" + std::to_string((i * 7 + t) % 500);
        if (std::shared_ptr<const Claims> hit = cache.Lookup(token, t0)) {
          if (hit->sub != token) {
            ++wrong;
          }
        } else {
          cache.Insert(token, ExpiringAt(t0 + absl::Hours(1), token), t0);
        }
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  CHECK(wrong.load() == 0);
  CHECK(cache.size() <= 256);
  CHECK(cache.hits() + cache.misses() == 8000);
}

}  // namespace
}  // namespace backoffice::jwt
