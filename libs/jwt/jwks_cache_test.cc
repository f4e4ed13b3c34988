#include "libs/jwt/jwks_cache.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "libs/jwt/jwk.h"
#include "libs/jwt/signer.h"
#include "libs/jwt/test_tokens.h"
#include "libs/jwt/verifier.h"

namespace backoffice::jwt {
namespace {

// A clock that moves only when told to.
class FakeClock {
 public:
  absl::Time Now() const {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }
  std::function<absl::Time()> AsFunction() {
    return [this] { return Now(); };
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ = absl::FromUnixSeconds(1'700'000'000);
};

// Serves whatever JWKS (or error) the test sets, and counts fetches.
class ScriptedIssuer {
 public:
  void Publish(std::initializer_list<const PrivateKey*> keys) {
    std::vector<PublicKey> public_keys;
    for (const PrivateKey* key : keys) {
      public_keys.push_back(*key->GetPublicKey());
    }
    absl::MutexLock lock(&mu_);
    document_ = *WriteJwks(public_keys);
  }
  void Fail(absl::Status status) {
    absl::MutexLock lock(&mu_);
    document_ = std::move(status);
  }
  void Serve(std::string raw) {
    absl::MutexLock lock(&mu_);
    document_ = std::move(raw);
  }
  int fetches() const { return fetches_.load(); }

  JwksFetcherPtr Fetcher() {
    return std::make_unique<FunctionJwksFetcher>([this]() -> absl::StatusOr<std::string> {
      ++fetches_;
      absl::MutexLock lock(&mu_);
      return document_;
    });
  }

 private:
  mutable absl::Mutex mu_;
  absl::StatusOr<std::string> document_ = absl::UnavailableError("nothing published");
  std::atomic<int> fetches_{0};
};

struct Fixture {
  FakeClock clock;
  ScriptedIssuer issuer;
  std::shared_ptr<JwksCache> cache;

  Fixture() {
    JwksCacheOptions options;
    options.ttl = absl::Minutes(5);
    options.min_refresh_interval = absl::Seconds(10);
    options.clock = clock.AsFunction();
    cache = std::make_shared<JwksCache>(issuer.Fetcher(), options);
  }
};

TEST_CASE("the first use fetches; known kids are served from the snapshot") {
  Fixture f;
  f.issuer.Publish({&testing::RsaKey()});
  CHECK(f.cache->GetKeys("rsa-1")->Find("rsa-1") != nullptr);
  CHECK(f.issuer.fetches() == 1);
  for (int i = 0; i < 10; ++i) {
    f.clock.Advance(absl::Seconds(20));
    CHECK(f.cache->GetKeys("rsa-1")->size() == 1);
    CHECK(f.cache->GetKeys(std::nullopt)->size() == 1);
  }
  CHECK(f.issuer.fetches() == 1);
}

TEST_CASE("an unknown kid triggers a refresh, rate-limited") {
  Fixture f;
  f.issuer.Publish({&testing::RsaKey()});
  REQUIRE(f.cache->GetKeys("rsa-1")->size() == 1);
  REQUIRE(f.issuer.fetches() == 1);

  // Within the minimum interval, forged kids cause no fetch at all.
  for (int i = 0; i < 100; ++i) {
    CHECK(f.cache->GetKeys("forged-" + std::to_string(i))->Find("rsa-1") != nullptr);
  }
  CHECK(f.issuer.fetches() == 1);

  // After it, one fetch; then quiet again for another interval.
  f.clock.Advance(absl::Seconds(10));
  for (int i = 0; i < 100; ++i) {
    f.cache->GetKeys("forged-" + std::to_string(i));
  }
  CHECK(f.issuer.fetches() == 2);

  // The issuer rotates in a new key: the first token naming it brings it in.
  f.issuer.Publish({&testing::RsaKey(), &testing::EcKey()});
  f.clock.Advance(absl::Seconds(11));
  CHECK(f.cache->GetKeys("ec-1")->Find("ec-1") != nullptr);
  CHECK(f.issuer.fetches() == 3);
}

TEST_CASE("the TTL refreshes the set") {
  Fixture f;
  f.issuer.Publish({&testing::RsaKey()});
  f.cache->GetKeys("rsa-1");
  f.issuer.Publish({&testing::EcKey()});  // rsa-1 retired
  f.clock.Advance(absl::Minutes(5) - absl::Seconds(1));
  CHECK(f.cache->GetKeys("rsa-1")->Find("rsa-1") != nullptr);
  CHECK(f.issuer.fetches() == 1);
  f.clock.Advance(absl::Seconds(1));
  std::shared_ptr<const KeySet> keys = f.cache->GetKeys("ec-1");
  CHECK(f.issuer.fetches() == 2);
  CHECK(keys->Find("rsa-1") == nullptr);
  CHECK(keys->Find("ec-1") != nullptr);
}

TEST_CASE("a failed or unusable fetch keeps the last good set") {
  Fixture f;
  f.issuer.Publish({&testing::RsaKey()});
  f.cache->GetKeys("rsa-1");
  SECTION("fetch error") { f.issuer.Fail(absl::UnavailableError("issuer down")); }
  SECTION("malformed document") { f.issuer.Serve(R"({"keys":[{"kty":"RSA"}]})"); }
  SECTION("no usable key") { f.issuer.Serve(R"({"keys":[]})"); }
  f.clock.Advance(absl::Minutes(6));
  CHECK(f.cache->GetKeys("rsa-1")->Find("rsa-1") != nullptr);
  CHECK(f.issuer.fetches() == 2);
  CHECK(f.cache->fetch_failures() == 1);
  CHECK_FALSE(f.cache->last_error().ok());
  // Failures are rate-limited too: no retry until the interval has passed.
  CHECK(f.cache->GetKeys("rsa-1")->size() == 1);
  CHECK(f.issuer.fetches() == 2);
  f.clock.Advance(absl::Seconds(10));
  f.issuer.Publish({&testing::RsaKey()});
  f.cache->GetKeys("rsa-1");
  CHECK(f.issuer.fetches() == 3);
  CHECK(f.cache->last_error().ok());
}

TEST_CASE("before any successful fetch the set is empty and retries are rate-limited") {
  Fixture f;
  CHECK(f.cache->GetKeys("rsa-1")->empty());
  CHECK(f.cache->GetKeys(std::nullopt)->empty());
  CHECK(f.issuer.fetches() == 1);
  f.issuer.Publish({&testing::RsaKey()});
  f.clock.Advance(absl::Seconds(10));
  CHECK(f.cache->GetKeys(std::nullopt)->size() == 1);
  CHECK(f.issuer.fetches() == 2);
}

TEST_CASE("Refresh ignores the rate limit and reports errors") {
  Fixture f;
  f.issuer.Publish({&testing::RsaKey()});
  CHECK(f.cache->Refresh().ok());
  CHECK(f.cache->Refresh().ok());
  CHECK(f.issuer.fetches() == 2);
  f.issuer.Fail(absl::UnavailableError("down"));
  CHECK(f.cache->Refresh().code() == absl::StatusCode::kUnavailable);
  CHECK(f.cache->Current()->size() == 1);
  CHECK(f.cache->fetches() == 3);
}

TEST_CASE("concurrent unknown kids share one fetch") {
  Fixture f;
  f.issuer.Publish({&testing::RsaKey()});
  std::vector<std::thread> threads;
  std::atomic<int> found{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 50; ++j) {
        if (f.cache->GetKeys("rsa-1")->Find("rsa-1") != nullptr) {
          ++found;
        }
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  CHECK(found.load() == 400);  // every caller waited for the first fetch
  CHECK(f.issuer.fetches() == 1);
}

TEST_CASE("a verifier over the cache accepts a token signed by a newly rotated key") {
  Fixture f;
  f.issuer.Publish({&testing::RsaKey()});
  VerifierOptions options;
  options.issuers = {"iss"};
  options.audiences = {"aud"};
  std::unique_ptr<Verifier> verifier = *Verifier::Create(options, f.cache);
  Claims claims;
  claims.iss = "iss";
  claims.aud = {"aud"};
  claims.exp = f.clock.Now() + absl::Minutes(15);
  std::string old_token = *Sign(testing::RsaKey(), claims);
  std::string new_token = *Sign(testing::EdKey(), claims);
  CHECK(verifier->Verify(old_token, f.clock.Now()).ok());
  f.issuer.Publish({&testing::RsaKey(), &testing::EdKey()});
  f.clock.Advance(absl::Seconds(30));
  CHECK(verifier->Verify(new_token, f.clock.Now()).ok());
  CHECK(verifier->Verify(old_token, f.clock.Now()).ok());  // the previous key is still published
  // The previous key is removed: after the TTL its tokens no longer verify.
  f.issuer.Publish({&testing::EdKey()});
  f.clock.Advance(absl::Minutes(5));
  CHECK(verifier->Verify(old_token, f.clock.Now()).status().message() == "kid is unknown");
  CHECK(verifier->Verify(new_token, f.clock.Now()).ok());
}

}  // namespace
}  // namespace backoffice::jwt
