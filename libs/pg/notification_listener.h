// The LISTEN side of PostgreSQL notifications: a dedicated libpq connection (outside any pool)
// that LISTENs on one channel and hands every notification to a handler, reconnecting with
// backoff when the connection is lost. Services keep caches exact with it (roles' permission
// cache) and feed watch streams from it (WatchPermissionChanges, WatchUserChanges).
//
//   class Handler final : public pg::NotificationHandler { ... };
//   Handler handler;
//   pg::NotificationListener listener(pool.options().connection, "users_changed", handler);
//   listener.Start();   // its own thread; returns at once
//   ...                 // the destructor stops and joins
//
// The thread polls the connection's socket (and a wake-up pipe for Stop), then
// PQconsumeInput/PQnotifies. NOTIFY is transactional, so a notification means a committed
// change, and notifications arrive in commit order. When the connection is lost (or cannot be
// made) the handler hears OnLost: notifications may be missed from then on. The thread
// reconnects with backoff (reset once a connection worked), LISTENs again and only then calls
// OnListening: whatever a handler derived before may have missed a change.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>

#include "absl/time/time.h"
#include "libs/pg/connection_options.h"

namespace backoffice::pg {

/// What a NotificationListener reports. Called on the listener's thread, one call at a time.
class NotificationHandler {
 public:
  virtual ~NotificationHandler() = default;
  /// LISTEN succeeded on a fresh connection: every notification committed from now on follows.
  virtual void OnListening() = 0;
  /// One notification's payload ("" when it had none).
  virtual void OnNotification(std::string_view payload) = 0;
  /// The connection was lost or could not be made: notifications may be missed until the next
  /// OnListening. Called again after each failed reconnection attempt.
  virtual void OnLost() = 0;
};

/// Reconnection timing.
struct NotificationListenerOptions {
  absl::Duration reconnect_delay = absl::Milliseconds(200);
  absl::Duration max_reconnect_delay = absl::Seconds(5);
};

/// Owns its thread and connection. Start and Stop from one thread; the accessors from any.
class NotificationListener final {
 public:
  /// `handler` must outlive the listener. `channel` is a channel name as NOTIFY/pg_notify use it
  /// (quoted as an identifier for LISTEN).
  NotificationListener(ConnectionOptions connection, std::string channel,
                       NotificationHandler& handler, NotificationListenerOptions options = {});
  ~NotificationListener();
  NotificationListener(const NotificationListener&) = delete;
  NotificationListener& operator=(const NotificationListener&) = delete;

  /// Starts the thread (once).
  void Start();
  /// Stops and joins the thread (idempotent); no handler call follows.
  void Stop();

  /// True while LISTENing.
  bool listening() const { return listening_.load(); }
  /// Notifications handled so far.
  uint64_t notifications() const { return notifications_.load(); }
  /// Successful LISTENs so far (1 + reconnections).
  uint64_t connects() const { return connects_.load(); }

 private:
  void Run();
  // Listens on one connection until it fails or Stop; false when stopping.
  bool ListenOnce();

  const ConnectionOptions connection_;
  const std::string channel_;
  NotificationHandler& handler_;
  const NotificationListenerOptions options_;
  int wake_pipe_[2] = {-1, -1};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> listening_{false};
  std::atomic<uint64_t> notifications_{0};
  std::atomic<uint64_t> connects_{0};
  std::thread thread_;
};

}  // namespace backoffice::pg
