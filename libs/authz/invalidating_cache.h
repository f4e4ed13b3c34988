// A per-user cache of permission answers with exact invalidation: answers stay until a change
// notification drops them (one user, or everyone), never past the answer's own `valid_until`,
// never past `max_age`, and, with `settle`, not stored right after an invalidation (a replica of
// the source may not have heard of the change yet).
//
//   InvalidatingCache<UserPermissions> cache({.max_entries = 100'000, .max_age =
//   absl::Seconds(30)}); if (auto hit = cache.Find(user, absl::Now())) { ... } uint64_t generation
//   = cache.generation();        // before asking the source of truth auto loaded =
//   std::make_shared<const UserPermissions>(...); cache.Insert(user, loaded, generation); //
//   dropped if an invalidation came between
//
// Used by the roles service (over its database, invalidated by LISTEN/NOTIFY) and by callers of
// the roles service (the BFF, other services; invalidated by WatchPermissionChanges, see
// permission_watcher.h). A cache starts disabled when it must first learn that notifications
// flow (SetEnabled(true) on the first LIVE).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace backoffice::authz {

/// The invalidation side of a cache, as a change feed drives it.
class CacheInvalidation {
 public:
  virtual ~CacheInvalidation() = default;
  /// Drops one user's answer.
  virtual void Invalidate(std::string_view user_id) = 0;
  /// Drops everything.
  virtual void InvalidateAll() = 0;
  /// Drops everything; while disabled nothing is stored (used while notifications may be
  /// missed).
  virtual void SetEnabled(bool enabled) = 0;
};

/// Several caches kept exact by one change feed (one watch stream): each change is applied to
/// all of them. The caches must outlive this.
class CacheInvalidations final : public CacheInvalidation {
 public:
  explicit CacheInvalidations(std::vector<CacheInvalidation*> caches)
      : caches_(std::move(caches)) {}

  void Invalidate(std::string_view user_id) override {
    for (CacheInvalidation* cache : caches_) cache->Invalidate(user_id);
  }
  void InvalidateAll() override {
    for (CacheInvalidation* cache : caches_) cache->InvalidateAll();
  }
  void SetEnabled(bool enabled) override {
    for (CacheInvalidation* cache : caches_) cache->SetEnabled(enabled);
  }

 private:
  const std::vector<CacheInvalidation*> caches_;
};

/// Bounds of an InvalidatingCache.
struct CacheOptions {
  /// Most users held; when full an arbitrary entry makes room (a pure accelerator).
  size_t max_entries = 100'000;
  /// Longest an answer is used after it was stored.
  absl::Duration max_age = absl::InfiniteDuration();
  /// Whether the cache starts enabled.
  bool enabled = true;
  /// Answers stored within this long after their user (or everyone) was invalidated are dropped
  /// instead. For callers of a replicated source: the change notice can reach the caller before
  /// every replica of the source, and a load answered by a replica that has not heard yet must
  /// not be kept. Zero for a cache that reads the source of truth itself.
  absl::Duration settle = absl::ZeroDuration();
};

/// `Value` has `std::optional<absl::Time> valid_until`. Thread-safe.
template <typename Value>
class InvalidatingCache final : public CacheInvalidation {
 public:
  using Entry = std::shared_ptr<const Value>;

  explicit InvalidatingCache(CacheOptions options = {})
      : options_(options), enabled_(options.enabled) {}

  /// The answer for `user_id`, or null if absent, past its valid_until or older than max_age.
  Entry Find(std::string_view user_id, absl::Time now) {
    Slot slot;
    {
      absl::MutexLock lock(&mutex_);
      auto it = entries_.find(Key(user_id));
      if (it != entries_.end()) slot = it->second;
    }
    if (slot.entry == nullptr ||
        (slot.entry->valid_until.has_value() && *slot.entry->valid_until <= now) ||
        now - slot.stored_at >= options_.max_age) {
      misses_.fetch_add(1, std::memory_order_relaxed);
      return nullptr;
    }
    hits_.fetch_add(1, std::memory_order_relaxed);
    return slot.entry;
  }

  /// The current generation; take it before loading what Insert will store.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

  /// Stores `entry` unless an invalidation happened since `generation_seen`, the cache is
  /// disabled, or the user (or everyone) was invalidated less than `settle` before `now`.
  void Insert(std::string_view user_id, Entry entry, uint64_t generation_seen,
              absl::Time now = absl::Now()) {
    absl::MutexLock lock(&mutex_);
    // Invalidations bump the generation while holding the mutex, so this comparison and the
    // insert below cannot straddle one.
    if (!enabled_ || generation_.load(std::memory_order_acquire) != generation_seen) return;
    if (now < settled_all_at_) return;
    if (auto it = settling_.find(Key(user_id)); it != settling_.end()) {
      if (now < it->second) return;
      settling_.erase(it);
    }
    if (entries_.size() >= options_.max_entries && !entries_.contains(Key(user_id))) {
      entries_.erase(entries_.begin());
    }
    entries_[std::string(user_id)] = Slot{std::move(entry), now};
  }

  void Invalidate(std::string_view user_id) override { Invalidate(user_id, absl::Now()); }
  void Invalidate(std::string_view user_id, absl::Time now) {
    absl::MutexLock lock(&mutex_);
    generation_.fetch_add(1, std::memory_order_acq_rel);
    entries_.erase(Key(user_id));
    if (options_.settle > absl::ZeroDuration()) {
      if (settling_.size() >= options_.max_entries) {
        // Bounded like the entries: past that, settle everyone for a while instead.
        settling_.clear();
        settled_all_at_ = std::max(settled_all_at_, now + options_.settle);
      } else {
        settling_[std::string(user_id)] = now + options_.settle;
      }
    }
  }

  void InvalidateAll() override { InvalidateAll(absl::Now()); }
  void InvalidateAll(absl::Time now) {
    absl::MutexLock lock(&mutex_);
    generation_.fetch_add(1, std::memory_order_acq_rel);
    entries_.clear();
    settling_.clear();
    settled_all_at_ = std::max(settled_all_at_, now + options_.settle);
  }

  void SetEnabled(bool enabled) override {
    absl::MutexLock lock(&mutex_);
    generation_.fetch_add(1, std::memory_order_acq_rel);
    enabled_ = enabled;
    entries_.clear();
  }

  bool enabled() const {
    absl::MutexLock lock(&mutex_);
    return enabled_;
  }
  size_t size() const {
    absl::MutexLock lock(&mutex_);
    return entries_.size();
  }
  uint64_t hits() const { return hits_.load(); }
  uint64_t misses() const { return misses_.load(); }

 private:
  struct Slot {
    Entry entry;
    absl::Time stored_at = absl::InfinitePast();
  };

  static absl::string_view Key(std::string_view user_id) {
    return absl::string_view(user_id.data(), user_id.size());
  }

  const CacheOptions options_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
  mutable absl::Mutex mutex_;
  bool enabled_ ABSL_GUARDED_BY(mutex_);
  absl::flat_hash_map<std::string, Slot> entries_ ABSL_GUARDED_BY(mutex_);
  // Users invalidated recently: no answer is stored for them before the time given.
  absl::flat_hash_map<std::string, absl::Time> settling_ ABSL_GUARDED_BY(mutex_);
  absl::Time settled_all_at_ ABSL_GUARDED_BY(mutex_) = absl::InfinitePast();
};

}  // namespace backoffice::authz
