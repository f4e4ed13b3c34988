#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/jwt/jwks_fetcher.h"
#include "libs/jwt/key_source.h"

namespace backoffice::jwt {

/// How often JwksCache refreshes.
struct JwksCacheOptions {
  /// A key set older than this is refreshed on the next use.
  absl::Duration ttl = absl::Minutes(5);
  /// At most one fetch per this interval, whatever triggers it (TTL, unknown kids, failures), so
  /// tokens with forged kids cannot make us hammer the issuer.
  absl::Duration min_refresh_interval = absl::Seconds(10);
  /// The clock (tests inject one).
  std::function<absl::Time()> clock = [] { return absl::Now(); };
};

/// A KeySource holding an issuer's JWKS. Readers get an immutable snapshot (a shared_ptr copied
/// under a briefly held mutex), so verifications never wait for a fetch. A fetch happens in the
/// calling thread, one at a time:
/// - on first use, and when a token names a kid the set does not have: the caller waits for the
///   fetch, if the rate limit allows one;
/// - when the set is older than the TTL: the first caller fetches, concurrent ones keep using
///   the current set.
/// A failed fetch or a document that parses to no usable key keeps the last good set.
///
///   auto cache = std::make_shared<JwksCache>(*HttpJwksFetcher::Create(url));
///   auto verifier = Verifier::Create(options, cache);
class JwksCache final : public KeySource {
 public:
  explicit JwksCache(JwksFetcherPtr fetcher, JwksCacheOptions options = {});

  std::shared_ptr<const KeySet> GetKeys(std::optional<std::string_view> kid) override;

  /// Fetches now, ignoring the rate limit (start-up, or a background refresher). Returns the fetch
  /// or parse error; the previous set stays in place on error.
  absl::Status Refresh();

  /// The current snapshot without refreshing (never null).
  std::shared_ptr<const KeySet> Current() const;

  /// Fetch attempts so far and how many of them failed (for metrics).
  uint64_t fetches() const;
  uint64_t fetch_failures() const;
  /// The error of the last failed fetch, OK if the last fetch succeeded.
  absl::Status last_error() const;

 private:
  // Fetches if the rate limit allows; the caller holds fetch_mu_.
  void MaybeFetchLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(fetch_mu_);
  absl::Status FetchAndSwap() ABSL_EXCLUSIVE_LOCKS_REQUIRED(fetch_mu_);

  JwksFetcherPtr fetcher_;
  JwksCacheOptions options_;

  // Held for a whole fetch; never taken while holding mu_.
  absl::Mutex fetch_mu_;
  std::optional<absl::Time> last_attempt_ ABSL_GUARDED_BY(fetch_mu_);

  mutable absl::Mutex mu_;
  std::shared_ptr<const KeySet> keys_ ABSL_GUARDED_BY(mu_);
  bool loaded_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time refresh_after_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  uint64_t fetches_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t failures_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status last_error_ ABSL_GUARDED_BY(mu_);
};

}  // namespace backoffice::jwt
