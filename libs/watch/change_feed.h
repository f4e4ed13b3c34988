// Fans the changes one replica hears from PostgreSQL (pg::NotificationListener, FeedPublisher)
// out to its watch streams (WatchPermissionChanges in roles, WatchUserChanges in users), so
// callers that cache (the BFF, other services) drop exactly what changed.
//
//   ChangeFeed feed({.service = "users"});
//   FeedPublisher publisher(feed);                          // publishes LIVE / KEY / ALL / PAUSED
//   pg::NotificationListener listener(connection, "users_changed", publisher);
//   absl::StatusOr<std::unique_ptr<ChangeFeed::Subscription>> sub = feed.Subscribe();
//   while (auto events = (*sub)->Next(absl::Seconds(1))) { ...send *events... }  // nullopt: closed
//
// Each subscription has a bounded queue. A subscriber that falls behind loses its queue and gets
// one ALL instead (dropping everything is always a correct reaction), so a slow watcher costs
// memory bounded by `max_queued` and never slows the listener.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace backoffice::watch {

/// One change as the feed carries it (mirrors roles.v1.PermissionChange and users.v1.UserChange).
struct ChangeEvent {
  enum class Kind {
    kLive,    // every change from now on is published; drop what was cached before
    kKey,     // what is cached under `key` (a user id in both services) may have changed
    kAll,     // anything may have changed
    kPaused,  // changes may be missed until the next kLive
  };
  Kind kind = Kind::kAll;
  /// kKey only.
  std::string key;

  friend bool operator==(const ChangeEvent&, const ChangeEvent&) = default;
};

/// The number of `kind` on the wire: roles.v1.PermissionChange.Kind and users.v1.UserChange.Kind
/// number their kinds alike (LIVE 1, USER 2, ALL 3, PAUSED 4), so a handler casts this to its
/// enum.
int KindNumber(ChangeEvent::Kind kind);

/// Limits of the feed.
struct ChangeFeedOptions {
  /// The service whose replica this is, for error messages ("roles", "users").
  std::string service = "this";
  /// Concurrent subscriptions (watch streams) on this replica.
  size_t max_subscribers = 64;
  /// Events queued per subscription before it is collapsed into one kAll.
  size_t max_queued = 1024;
};

/// Thread-safe.
class ChangeFeed final {
 private:
  struct Queue {
    std::deque<ChangeEvent> events;
  };

 public:
  /// One subscriber's view; unsubscribes when destroyed. Used by one thread at a time.
  class Subscription {
   public:
    ~Subscription();
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;

    /// The events published since the last call, waiting up to `timeout` for one (empty after a
    /// timeout). nullopt once the feed is closed.
    std::optional<std::vector<ChangeEvent>> Next(absl::Duration timeout);

   private:
    friend class ChangeFeed;
    Subscription(ChangeFeed& feed, std::shared_ptr<Queue> queue)
        : feed_(feed), queue_(std::move(queue)) {}

    ChangeFeed& feed_;
    std::shared_ptr<Queue> queue_;
  };

  explicit ChangeFeed(ChangeFeedOptions options = {}) : options_(options) {}

  /// A new subscription whose first event is the feed's state: kLive if the last of kLive and
  /// kPaused published was kLive, kPaused otherwise. RESOURCE_EXHAUSTED at max_subscribers;
  /// UNAVAILABLE once closed.
  absl::StatusOr<std::unique_ptr<Subscription>> Subscribe();

  /// Queues `event` for every subscriber. kLive and kPaused also set the state new subscribers
  /// start from.
  void Publish(const ChangeEvent& event);

  /// Ends every subscription (Next returns nullopt) and refuses new ones: the replica is
  /// shutting down.
  void Close();

  size_t subscribers() const;
  const ChangeFeedOptions& options() const { return options_; }

 private:
  void Unsubscribe(const std::shared_ptr<Queue>& queue);

  const ChangeFeedOptions options_;
  mutable absl::Mutex mutex_;
  bool live_ ABSL_GUARDED_BY(mutex_) = false;
  bool closed_ ABSL_GUARDED_BY(mutex_) = false;
  absl::flat_hash_set<std::shared_ptr<Queue>> queues_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace backoffice::watch
