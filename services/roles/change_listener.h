// The LISTEN side of exact cache invalidation: a dedicated libpq connection (outside the pool)
// that LISTENs on `roles_changed` and drops cached answers as notifications arrive.
//
//   ChangeListener listener(pool.options().connection, cache, &feed);  // feed may be null
//   listener.Start();          // its own thread; returns at once
//   ...                        // the destructor stops and joins
//
// The thread polls the connection's socket (and a wake-up pipe for Stop), then
// PQconsumeInput/PQnotifies. A payload naming a user drops that user; "all" drops everything.
// When the connection is lost, caching is disabled (notifications may be missed), the thread
// reconnects with backoff, LISTENs again, and only then re-enables caching with an empty cache.
// The feed (WatchPermissionChanges) hears the same: kLive on every successful LISTEN, kUser or
// kAll per notification, kPaused when the connection is lost.
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>

#include "absl/time/time.h"
#include "libs/pg/connection_options.h"
#include "services/roles/change_feed.h"
#include "services/roles/permission_cache.h"

namespace backoffice::roles {

/// Reconnection timing.
struct ChangeListenerOptions {
  absl::Duration reconnect_delay = absl::Milliseconds(200);
  absl::Duration max_reconnect_delay = absl::Seconds(5);
};

/// Owns its thread and connection.
class ChangeListener final {
 public:
  /// `feed`, when not null, must outlive the listener.
  ChangeListener(pg::ConnectionOptions connection, PermissionCache& cache,
                 ChangeFeed* feed = nullptr, ChangeListenerOptions options = {});
  ~ChangeListener();
  ChangeListener(const ChangeListener&) = delete;
  ChangeListener& operator=(const ChangeListener&) = delete;

  /// Starts the thread. Caching stays disabled until the first LISTEN succeeds.
  void Start();
  /// Stops and joins the thread (idempotent).
  void Stop();

  /// True while LISTENing.
  bool listening() const { return listening_.load(); }
  /// Notifications handled and connections made so far.
  uint64_t notifications() const { return notifications_.load(); }
  uint64_t connects() const { return connects_.load(); }

 private:
  void Run();
  // Listens on one connection until it fails or Stop; false when stopping.
  bool ListenOnce();
  void Publish(ChangeEvent::Kind kind, std::string_view user_id = "");

  const pg::ConnectionOptions connection_;
  PermissionCache& cache_;
  ChangeFeed* const feed_;
  const ChangeListenerOptions options_;
  int wake_pipe_[2] = {-1, -1};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> listening_{false};
  std::atomic<uint64_t> notifications_{0};
  std::atomic<uint64_t> connects_{0};
  std::thread thread_;
};

}  // namespace backoffice::roles
