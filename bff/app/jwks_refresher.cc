#include "bff/app/jwks_refresher.h"

#include "absl/time/clock.h"
#include "libs/log/log.h"

namespace backoffice::bff::app {
namespace {

thread_local bool missed_kid = false;

}  // namespace

std::shared_ptr<const jwt::KeySet> SnapshotKeySource::GetKeys(std::optional<std::string_view> kid) {
  std::shared_ptr<const jwt::KeySet> keys = cache_->Current();
  if (keys->empty() || (kid.has_value() && keys->Find(*kid) == nullptr)) {
    missed_kid = true;
  }
  return keys;
}

void SnapshotKeySource::ResetMiss() { missed_kid = false; }

bool SnapshotKeySource::Missed() { return missed_kid; }

JwksRefresher::JwksRefresher(std::vector<std::shared_ptr<jwt::JwksCache>> caches, Options options)
    : caches_(std::move(caches)), options_(options) {}

JwksRefresher::~JwksRefresher() { Stop(); }

void JwksRefresher::Start() {
  absl::MutexLock lock(&mu_);
  if (started_ || stopping_) {
    return;
  }
  started_ = true;
  thread_ = std::thread([this] { Run(); });
}

void JwksRefresher::Stop() {
  std::vector<std::function<void()>> waiters;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) {
    thread_.join();
  }
  {
    absl::MutexLock lock(&mu_);
    waiters.swap(waiters_);
  }
  for (std::function<void()>& done : waiters) {
    done();
  }
}

bool JwksRefresher::RequestRefresh(std::function<void()> done) {
  absl::MutexLock lock(&mu_);
  if (stopping_ || !started_) {
    return false;
  }
  if (!demand_pending_) {
    if (absl::Now() - last_demand_ < options_.min_demand_interval) {
      return false;
    }
    demand_pending_ = true;
  }
  waiters_.push_back(std::move(done));
  return true;
}

uint64_t JwksRefresher::cycles() const {
  absl::MutexLock lock(&mu_);
  return cycles_;
}

void JwksRefresher::Run() {
  for (;;) {
    std::vector<std::function<void()>> waiters;
    {
      absl::MutexLock lock(&mu_);
      auto wake = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || demand_pending_ || absl::Now() >= next_scheduled_;
      };
      while (!wake()) {
        // Short waits, so a scheduled refresh is never far late whatever the clock does.
        mu_.AwaitWithTimeout(absl::Condition(&wake),
                             std::min(absl::Seconds(1), next_scheduled_ - absl::Now()));
      }
      if (stopping_) {
        return;
      }
      if (demand_pending_) {
        demand_pending_ = false;
        last_demand_ = absl::Now();
      }
      waiters.swap(waiters_);
    }
    bool all_good = true;
    for (const std::shared_ptr<jwt::JwksCache>& cache : caches_) {
      absl::Status refreshed = cache->Refresh();
      if (!refreshed.ok() || cache->Current()->empty()) {
        all_good = false;
        log::Warn("JWKS refresh failed", {{"error", refreshed.message()}});
      }
    }
    {
      absl::MutexLock lock(&mu_);
      ++cycles_;
      next_scheduled_ = absl::Now() + (all_good ? options_.interval : options_.retry_interval);
    }
    for (std::function<void()>& done : waiters) {
      done();
    }
  }
}

}  // namespace backoffice::bff::app
