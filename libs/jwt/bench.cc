// Verifications per second on one thread, for each algorithm, with and without the
// verified-token cache. Usage: bench [seconds_per_row]  (default 1).

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "libs/jwt/signature.h"
#include "libs/jwt/signer.h"
#include "libs/jwt/verified_token_cache.h"
#include "libs/jwt/verifier.h"

namespace backoffice::jwt {
namespace {

// Runs `body` repeatedly for about `duration`; returns calls per second. Aborts if body fails.
template <typename Body>
double Rate(absl::Duration duration, Body body) {
  absl::Time start = absl::Now();
  absl::Time end = start + duration;
  int64_t calls = 0;
  absl::Time now = start;
  while (now < end) {
    for (int i = 0; i < 64; ++i) {
      if (!body()) {
        std::fprintf(stderr, "verification failed\n");
        std::exit(1);
      }
    }
    calls += 64;
    now = absl::Now();
  }
  return static_cast<double>(calls) / absl::ToDoubleSeconds(now - start);
}

int Main(int argc, char** argv) {
  absl::Duration duration = absl::Seconds(argc > 1 ? std::atof(argv[1]) : 1.0);
  std::printf("%-6s %6s %17s %10s %16s %8s\n", "alg", "bytes", "signature only/s", "Verify/s",
              "cached Verify/s", "signs/s");
  for (Algorithm algorithm : {Algorithm::kRs256, Algorithm::kEs256, Algorithm::kEdDsa}) {
    absl::StatusOr<PrivateKey> key = PrivateKey::Generate(algorithm, "bench-key");
    if (!key.ok()) {
      std::fprintf(stderr, "%s\n", std::string(key.status().message()).c_str());
      return 1;
    }
    std::vector<PublicKey> keys;
    keys.push_back(*key->GetPublicKey());
    auto source = std::make_shared<StaticKeySource>(*KeySet::Create(std::move(keys)));
    VerifierOptions options;
    options.issuers = {"https://users.backoffice.local"};
    options.audiences = {"backoffice"};
    std::shared_ptr<Verifier> verifier = *Verifier::Create(options, source);
    CachingVerifier cached(verifier);

    // A token shaped like the users service's access tokens.
    absl::Time now = absl::Now();
    Claims claims;
    claims.iss = "https://users.backoffice.local";
    claims.sub = "0190a5e0-7c1a-7cc2-9d3e-6f1b2a3c4d5e";
    claims.aud = {"backoffice"};
    claims.exp = now + absl::Minutes(15);
    claims.iat = now;
    claims.jti = "0190a5e0-7c1a-7cc2-9d3e-000000000001";
    claims.sid = "0190a5e0-7c1a-7cc2-9d3e-000000000002";
    std::string token = *Sign(*key, claims);
    std::string input = token.substr(0, token.rfind('.'));
    ParsedToken parsed = *ParseCompact(token, 8192);

    double raw = Rate(duration, [&] {
      return VerifyBytes(source->GetKeys("bench-key")->keys()[0], input, parsed.signature).ok();
    });
    double full = Rate(duration, [&] { return verifier->Verify(token, now).ok(); });
    double hit = Rate(duration, [&] { return cached.Verify(token, now).ok(); });
    double signs = Rate(duration, [&] { return SignBytes(*key, input).ok(); });
    std::printf("%-6s %6zu %17.0f %10.0f %16.0f %8.0f\n",
                std::string(AlgorithmName(algorithm)).c_str(), token.size(), raw, full, hit, signs);
  }
  std::printf("one thread; RSA key 2048 bits; cached = same token again (cache hit)\n");
  return 0;
}

}  // namespace
}  // namespace backoffice::jwt

int main(int argc, char** argv) { return backoffice::jwt::Main(argc, argv); }
