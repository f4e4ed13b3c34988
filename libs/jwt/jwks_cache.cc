#include "libs/jwt/jwks_cache.h"

#include "libs/jwt/jwk.h"

namespace backoffice::jwt {

JwksCache::JwksCache(JwksFetcherPtr fetcher, JwksCacheOptions options)
    : fetcher_(std::move(fetcher)),
      options_(std::move(options)),
      keys_(std::make_shared<const KeySet>()) {}

std::shared_ptr<const KeySet> JwksCache::GetKeys(std::optional<std::string_view> kid) {
  std::shared_ptr<const KeySet> snapshot;
  bool stale = false;
  bool loaded = false;
  {
    absl::MutexLock lock(&mu_);
    snapshot = keys_;
    loaded = loaded_;
    stale = options_.clock() >= refresh_after_;
  }
  bool missing = !loaded || (kid.has_value() && snapshot->Find(*kid) == nullptr);
  if (missing) {
    // This caller needs the new set: wait for a fetch in flight or make one (rate-limited).
    absl::MutexLock fetch_lock(&fetch_mu_);
    MaybeFetchLocked();
    return Current();
  }
  if (stale && fetch_mu_.TryLock()) {
    MaybeFetchLocked();
    fetch_mu_.Unlock();
    return Current();
  }
  return snapshot;
}

absl::Status JwksCache::Refresh() {
  absl::MutexLock fetch_lock(&fetch_mu_);
  last_attempt_ = options_.clock();
  return FetchAndSwap();
}

void JwksCache::MaybeFetchLocked() {
  absl::Time now = options_.clock();
  if (last_attempt_.has_value() && now < *last_attempt_ + options_.min_refresh_interval) {
    return;
  }
  last_attempt_ = now;
  FetchAndSwap().IgnoreError();  // recorded in last_error_ for whoever asks
}

absl::Status JwksCache::FetchAndSwap() {
  absl::StatusOr<std::string> document = fetcher_->Fetch();
  absl::StatusOr<KeySet> keys =
      document.ok() ? ParseJwks(*document) : absl::StatusOr<KeySet>(document.status());
  if (keys.ok() && keys->empty()) {
    keys = absl::FailedPreconditionError("JWKS has no usable key");
  }
  absl::MutexLock lock(&mu_);
  ++fetches_;
  if (!keys.ok()) {
    ++failures_;
    last_error_ = keys.status();
    return last_error_;
  }
  keys_ = std::make_shared<const KeySet>(*std::move(keys));
  loaded_ = true;
  refresh_after_ = options_.clock() + options_.ttl;
  last_error_ = absl::OkStatus();
  return absl::OkStatus();
}

std::shared_ptr<const KeySet> JwksCache::Current() const {
  absl::MutexLock lock(&mu_);
  return keys_;
}

uint64_t JwksCache::fetches() const {
  absl::MutexLock lock(&mu_);
  return fetches_;
}

uint64_t JwksCache::fetch_failures() const {
  absl::MutexLock lock(&mu_);
  return failures_;
}

absl::Status JwksCache::last_error() const {
  absl::MutexLock lock(&mu_);
  return last_error_;
}

}  // namespace backoffice::jwt
