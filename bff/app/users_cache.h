// Users records and list pages as the BFF answers them, cached while the users service's
// WatchUserChanges stream is live (authz::ChangeWatcher), so GET /api/users/{id}, GET /api/users
// and the user part of /api/me skip the users service and PostgreSQL when nothing changed.
//
// Exactness: a record is dropped when the watch names its account; every page is dropped when
// any account changes (a page's rows and total may depend on any of them). A load only fills the
// cache if no change arrived while it was asked (generation check), and nothing is cached while
// the watch is not live. A change made through this BFF drops what it touched before the answer
// goes out (read-your-writes here); other replicas hear of it from the watch, typically within
// milliseconds. `max_age` bounds anything else (list totals estimated from statistics).
//
// Concurrent misses of one record or page share one users call (user_loads() / page_loads(),
// downstream::Coalescer).
//
// Sharing between callers is safe because the users service answers GetUser and ListUsers the
// same to every caller allowed to ask, and the gateway authorized the route before the handler
// looks here. Errors are never cached.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "bff/downstream/coalescer.h"
#include "libs/authz/invalidating_cache.h"
#include "proto/common/v1/page.pb.h"
#include "proto/users/v1/users.pb.h"

namespace backoffice::bff::app {

/// One account as GET /api/users/{id} and /api/me show it.
struct CachedUser {
  /// The record as JSON text (UserToJson), the body of GET /api/users/{id}. Only the text is
  /// kept: it is half the memory of a parsed object, and /api/me parses it back.
  std::string body;
  std::string etag;
  std::optional<absl::Time> valid_until;  // never: dropped by changes and max_age
};

/// `user` rendered as CachedUser (not stored).
std::shared_ptr<const CachedUser> RenderUser(const users::v1::User& user);

/// One answer of ListUsers as GET /api/users shows it.
struct CachedUsersPage {
  /// The rows as a serialized JSON array.
  std::string body;
  size_t count = 0;
  common::v1::PageInfo page_info;
  std::optional<absl::Time> valid_until;
};

/// `page` rendered as CachedUsersPage (not stored).
std::shared_ptr<const CachedUsersPage> RenderUsersPage(const users::v1::ListUsersResponse& page);

/// Bounds of the two caches. Memory is at most max_users × max_user_bytes plus max_pages ×
/// max_page_bytes (bodies; about 1 KiB of bookkeeping a record on top), whatever clients ask:
/// a larger record (big `attributes`) or page (up to 500 rows) is answered but not kept.
struct UsersCacheOptions {
  size_t max_users = 20'000;
  size_t max_user_bytes = 4 * 1024;
  size_t max_pages = 1'000;
  size_t max_page_bytes = 64 * 1024;
  absl::Duration max_age = absl::Seconds(30);
};

/// Thread-safe. Starts disabled: the watcher enables it when its stream is live.
class UsersCache {
 public:
  explicit UsersCache(UsersCacheOptions options = {});

  /// The key of account `id` (any case): its lower-case id.
  static std::string UserKey(std::string_view id);

  /// The cached account `id` (any case), or null.
  std::shared_ptr<const CachedUser> FindUser(std::string_view id);
  /// Caches `user` unless a change arrived since `generation` (users_generation()) was read or
  /// it is larger than max_user_bytes. Returns the record either way.
  std::shared_ptr<const CachedUser> StoreUser(const users::v1::User& user, uint64_t generation);

  /// The cached answer to `request`, or null; `key` receives the request's cache key.
  std::shared_ptr<const CachedUsersPage> FindPage(const users::v1::ListUsersRequest& request,
                                                  std::string& key);
  /// Caches the answer to the request whose key is `key` unless a change arrived since
  /// `generation` (pages_generation()) was read or it is larger than max_page_bytes. Returns
  /// the page either way.
  std::shared_ptr<const CachedUsersPage> StorePage(std::string key,
                                                   const users::v1::ListUsersResponse& page,
                                                   uint64_t generation);

  /// Read before asking the users service; hand to StoreUser / StorePage.
  uint64_t users_generation() const { return users_.generation(); }
  uint64_t pages_generation() const { return pages_.generation(); }

  /// What a change made through this BFF touched: one account (all pages too), the pages only
  /// (a new account), or everything.
  void Changed(std::string_view user_id);
  void ChangedPages();
  void ChangedAll();

  /// At shutdown, before the I/O threads' contexts go: loads still in flight wake nobody.
  void Abandon();

  /// For the watcher: a named account drops it and every page.
  authz::CacheInvalidation& invalidation() { return invalidation_; }

  const authz::InvalidatingCache<CachedUser>& users() const { return users_; }
  const authz::InvalidatingCache<CachedUsersPage>& pages() const { return pages_; }

  /// Loads in progress, so that concurrent misses of one record (page) make one call.
  downstream::Coalescer<std::shared_ptr<const CachedUser>>& user_loads() { return user_loads_; }
  downstream::Coalescer<std::shared_ptr<const CachedUsersPage>>& page_loads() {
    return page_loads_;
  }

 private:
  // Pages depend on every account: any named change drops all of them.
  class PagesInvalidation final : public authz::CacheInvalidation {
   public:
    explicit PagesInvalidation(authz::InvalidatingCache<CachedUsersPage>& pages) : pages_(pages) {}
    void Invalidate(std::string_view) override { pages_.InvalidateAll(); }
    void InvalidateAll() override { pages_.InvalidateAll(); }
    void SetEnabled(bool enabled) override { pages_.SetEnabled(enabled); }

   private:
    authz::InvalidatingCache<CachedUsersPage>& pages_;
  };

  const size_t max_user_bytes_;
  const size_t max_page_bytes_;
  authz::InvalidatingCache<CachedUser> users_;
  authz::InvalidatingCache<CachedUsersPage> pages_;
  PagesInvalidation pages_invalidation_{pages_};
  authz::CacheInvalidations invalidation_{{&users_, &pages_invalidation_}};
  downstream::Coalescer<std::shared_ptr<const CachedUser>> user_loads_;
  downstream::Coalescer<std::shared_ptr<const CachedUsersPage>> page_loads_;
};

}  // namespace backoffice::bff::app
