// Effective permissions per user, resolved once and kept until something changes: the shared
// authz::InvalidatingCache over the store's EffectivePermissions. Exact invalidation: the store
// notifies `roles_changed` in the transaction of every change, each replica's ChangeListener
// drops the named user (or everything), and the replica that made the change drops it locally
// right after commit.
//
//   PermissionCache cache({.max_entries = 100'000});
//   if (PermissionCache::Entry hit = cache.Find(user, absl::Now())) { ... }
//   uint64_t generation = cache.generation();          // before reading the database
//   absl::StatusOr<EffectivePermissions> loaded = grants.Effective(user);
//   cache.Insert(user, std::make_shared<const EffectivePermissions>(*loaded), generation);
#pragma once

#include "libs/authz/invalidating_cache.h"
#include "services/roles/store/rbac_types.h"

namespace backoffice::roles {

using PermissionCacheOptions = authz::CacheOptions;
using PermissionCache = authz::InvalidatingCache<EffectivePermissions>;

}  // namespace backoffice::roles
