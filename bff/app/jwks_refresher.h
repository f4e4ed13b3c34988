#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/jwt/jwks_cache.h"
#include "libs/jwt/key_source.h"

namespace backoffice::bff::app {

/// A KeySource that only ever reads the JwksCache's current snapshot: it never fetches, so a
/// verifier built on it never blocks the I/O thread that calls it. A lookup that misses (a kid
/// the snapshot lacks, or no keys at all) is remembered for the calling thread, so the
/// Authenticator can ask the JwksRefresher for a background refresh.
class SnapshotKeySource final : public jwt::KeySource {
 public:
  explicit SnapshotKeySource(std::shared_ptr<jwt::JwksCache> cache) : cache_(std::move(cache)) {}

  std::shared_ptr<const jwt::KeySet> GetKeys(std::optional<std::string_view> kid) override;

  /// Clears this thread's miss flag (call before Verify).
  static void ResetMiss();
  /// Whether a GetKeys on this thread missed since ResetMiss.
  static bool Missed();

 private:
  std::shared_ptr<jwt::JwksCache> cache_;
};

/// Keeps JwksCaches fresh from one background thread, so no request thread ever fetches: it
/// refreshes every cache at Start, then every `interval` (`retry_interval` after a failed fetch or
/// while a cache is empty), and on demand when a request met an unknown kid. On-demand refreshes
/// are rate-limited (one per `min_demand_interval`), so tokens with forged kids cannot make the
/// BFF hammer an issuer: a request that asks while the limit holds is told no and answers 401.
///
///   JwksRefresher refresher({users_cache, idp_cache}, {});
///   refresher.Start();
///   ...
///   if (refresher.RequestRefresh([=] { /* resume the waiting request */ })) { ... }
///   ...
///   refresher.Stop();  // after the HTTP server stopped, before its I/O contexts go
class JwksRefresher {
 public:
  struct Options {
    absl::Duration interval = absl::Minutes(5);
    absl::Duration retry_interval = absl::Seconds(5);
    absl::Duration min_demand_interval = absl::Seconds(10);
  };

  JwksRefresher(std::vector<std::shared_ptr<jwt::JwksCache>> caches, Options options);
  ~JwksRefresher();
  JwksRefresher(const JwksRefresher&) = delete;
  JwksRefresher& operator=(const JwksRefresher&) = delete;

  /// Starts the thread; the first refresh of every cache runs at once.
  void Start();

  /// Stops the thread and runs every waiting callback. Idempotent.
  void Stop();

  /// Asks for a refresh because a token named a kid no cache has. True when one is pending (now
  /// or joined): `done` then runs once, on the refresher's thread, after that refresh finished
  /// (or at Stop). False while rate limited or stopped: `done` never runs.
  bool RequestRefresh(std::function<void()> done);

  /// Refresh cycles completed so far (for tests and metrics).
  uint64_t cycles() const;

 private:
  void Run();

  const std::vector<std::shared_ptr<jwt::JwksCache>> caches_;
  const Options options_;

  mutable absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool demand_pending_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time last_demand_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  absl::Time next_scheduled_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  uint64_t cycles_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::function<void()>> waiters_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace backoffice::bff::app
