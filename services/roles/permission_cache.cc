#include "services/roles/permission_cache.h"

#include <utility>

namespace backoffice::roles {

PermissionCache::Entry PermissionCache::Find(std::string_view user_id, absl::Time now) {
  Entry entry;
  {
    absl::MutexLock lock(&mutex_);
    auto it = entries_.find(Absl(user_id));
    if (it != entries_.end()) entry = it->second;
  }
  if (entry == nullptr || (entry->valid_until.has_value() && *entry->valid_until <= now)) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  hits_.fetch_add(1, std::memory_order_relaxed);
  return entry;
}

void PermissionCache::Insert(std::string_view user_id, Entry entry, uint64_t generation_seen) {
  absl::MutexLock lock(&mutex_);
  // Invalidations bump the generation while holding the mutex, so this comparison and the
  // insert below cannot straddle one.
  if (!enabled_ || generation_.load(std::memory_order_acquire) != generation_seen) {
    return;
  }
  if (entries_.size() >= options_.max_entries && !entries_.contains(Absl(user_id))) {
    entries_.erase(entries_.begin());
  }
  entries_[std::string(user_id)] = std::move(entry);
}

void PermissionCache::Invalidate(std::string_view user_id) {
  absl::MutexLock lock(&mutex_);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  entries_.erase(Absl(user_id));
}

void PermissionCache::InvalidateAll() {
  absl::MutexLock lock(&mutex_);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  entries_.clear();
}

void PermissionCache::SetEnabled(bool enabled) {
  absl::MutexLock lock(&mutex_);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  enabled_ = enabled;
  entries_.clear();
}

size_t PermissionCache::size() const {
  absl::MutexLock lock(&mutex_);
  return entries_.size();
}

}  // namespace backoffice::roles
