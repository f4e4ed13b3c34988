// Measures argon2id with the default HashParams: median time of Hash and of Verify.
//
//   bazel run -c opt //services/users/credentials:hash_timing -- [iterations, default 20]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/users/credentials/password_hasher.h"

namespace {

double MedianMs(std::vector<absl::Duration> samples) {
  std::sort(samples.begin(), samples.end());
  return absl::ToDoubleMilliseconds(samples[samples.size() / 2]);
}

}  // namespace

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::max(1, std::atoi(argv[1])) : 20;
  absl::StatusOr<backoffice::users::PasswordHasher> hasher =
      backoffice::users::PasswordHasher::Create();
  if (!hasher.ok()) {
    std::fprintf(stderr, "%s\n", std::string(hasher.status().message()).c_str());
    return 1;
  }
  std::vector<absl::Duration> hash_times;
  std::vector<absl::Duration> verify_times;
  std::vector<absl::Duration> dummy_times;
  for (int i = 0; i < iterations; ++i) {
    const absl::Time start = absl::Now();
    absl::StatusOr<std::string> hash = hasher->Hash("correct horse battery staple");
    const absl::Time hashed = absl::Now();
    const bool ok = hash.ok() && hasher->Verify(*hash, "correct horse battery staple");
    const absl::Time verified = absl::Now();
    hasher->VerifyDummy("correct horse battery staple");
    const absl::Time dummy = absl::Now();
    if (!ok) {
      std::fprintf(stderr, "hash or verify failed\n");
      return 1;
    }
    hash_times.push_back(hashed - start);
    verify_times.push_back(verified - hashed);
    dummy_times.push_back(dummy - verified);
  }
  const backoffice::users::HashParams& params = hasher->params();
  std::printf(
      "argon2id m=%zu KiB t=%llu p=1, %d iterations: median hash %.1f ms, verify %.1f ms, "
      "dummy verify %.1f ms\n",
      params.memlimit >> 10, static_cast<unsigned long long>(params.opslimit), iterations,
      MedianMs(hash_times), MedianMs(verify_times), MedianMs(dummy_times));
  return 0;
}
