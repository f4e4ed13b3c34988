// The LISTEN side of exact cache invalidation in roles: a pg::NotificationListener on
// `roles_changed` that drops cached answers as notifications arrive and feeds the same to the
// WatchPermissionChanges streams (watch::FeedPublisher).
//
//   ChangeListener listener(pool.options().connection, cache, &feed);  // feed may be null
//   listener.Start();          // its own thread; returns at once
//   ...                        // the destructor stops and joins
//
// A payload naming a user drops that user; "all" drops everything. When the connection is lost,
// caching is disabled (notifications may be missed); once the listener LISTENs again caching is
// re-enabled with an empty cache. The feed hears kLive on every successful LISTEN, kKey (the user
// id) or kAll per notification, kPaused when the connection is lost.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "libs/pg/connection_options.h"
#include "libs/pg/notification_listener.h"
#include "libs/watch/change_feed.h"
#include "libs/watch/feed_publisher.h"
#include "services/roles/permission_cache.h"

namespace backoffice::roles {

/// Reconnection timing.
using ChangeListenerOptions = pg::NotificationListenerOptions;

/// Owns its thread and connection.
class ChangeListener final : private pg::NotificationHandler {
 public:
  /// `feed`, when not null, must outlive the listener.
  ChangeListener(pg::ConnectionOptions connection, PermissionCache& cache,
                 watch::ChangeFeed* feed = nullptr, ChangeListenerOptions options = {});
  ~ChangeListener() override;
  ChangeListener(const ChangeListener&) = delete;
  ChangeListener& operator=(const ChangeListener&) = delete;

  /// Starts the thread. Caching stays disabled until the first LISTEN succeeds.
  void Start();
  /// Stops and joins the thread (idempotent).
  void Stop() { listener_.Stop(); }

  /// True while LISTENing.
  bool listening() const { return listener_.listening(); }
  /// Notifications handled and connections made so far.
  uint64_t notifications() const { return listener_.notifications(); }
  uint64_t connects() const { return listener_.connects(); }

 private:
  void OnListening() override;
  void OnNotification(std::string_view payload) override;
  void OnLost() override;

  PermissionCache& cache_;
  std::optional<watch::FeedPublisher> publisher_;  // empty without a feed
  pg::NotificationListener listener_;              // last: stopped first, before the rest goes
};

}  // namespace backoffice::roles
