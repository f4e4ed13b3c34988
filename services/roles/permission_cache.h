// Effective permissions per user, resolved once and kept until something changes. Exact
// invalidation: the store notifies `roles_changed` in the transaction of every change, each
// replica's ChangeListener drops the named user (or everything), and the replica that made the
// change drops it locally right after commit.
//
//   PermissionCache cache({.max_entries = 100'000});
//   if (PermissionCache::Entry hit = cache.Find(user, absl::Now())) { ... }
//   uint64_t generation = cache.generation();          // before reading the database
//   absl::StatusOr<EffectivePermissions> loaded = grants.Effective(user);
//   cache.Insert(user, std::make_shared<const EffectivePermissions>(*loaded), generation);
//
// A load that raced with an invalidation is not stored: Insert compares the generation taken
// before the read with the current one, and every invalidation bumps it.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/roles/store/rbac_types.h"

namespace backoffice::roles {

/// Bounds of the cache.
struct PermissionCacheOptions {
  /// Most users held; when full, an arbitrary entry makes room (the cache is a pure accelerator,
  /// so which one does not matter for correctness).
  size_t max_entries = 100'000;
};

/// Thread-safe.
class PermissionCache final {
 public:
  using Entry = std::shared_ptr<const EffectivePermissions>;

  explicit PermissionCache(PermissionCacheOptions options = {}) : options_(options) {}

  /// The cached answer for `user_id`, or null if absent or past its valid_until at `now`.
  Entry Find(std::string_view user_id, absl::Time now);

  /// The current generation; take it before reading what Insert will store.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

  /// Stores `entry` unless an invalidation happened since `generation_seen`, or caching is
  /// disabled (the listener is disconnected).
  void Insert(std::string_view user_id, Entry entry, uint64_t generation_seen);

  /// Drops one user's answer.
  void Invalidate(std::string_view user_id);
  /// Drops everything.
  void InvalidateAll();
  /// While disabled nothing is stored (and everything was dropped): used while no notification
  /// can arrive.
  void SetEnabled(bool enabled);

  size_t size() const;
  uint64_t hits() const { return hits_.load(); }
  uint64_t misses() const { return misses_.load(); }

 private:
  const PermissionCacheOptions options_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
  mutable absl::Mutex mutex_;
  bool enabled_ ABSL_GUARDED_BY(mutex_) = true;
  absl::flat_hash_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace backoffice::roles
