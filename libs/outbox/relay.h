// The outbox relay: ships a service's pending outbox events to a consumer (the audit service)
// in position order and in batches, at least once, and marks them delivered only after the
// consumer acknowledged them.
//
//   auto sink = MakeAuditSink(audit_channel, tokens, "users");
//   Relay relay(pool, *sink, {.schema = "users"});
//   relay.Start();      // its own thread: LISTEN users_outbox, slow poll, backoff, pruning
//   ...
//   relay.Stop();       // or ~Relay
//
// Claims use FOR UPDATE SKIP LOCKED inside a transaction that stays open while the batch is
// sent, so several replicas share the work and never send the same event at the same time. A
// relay that dies mid-batch leaves its rows undelivered (the transaction rolls back); the next
// claim resends them and the consumer absorbs the repeats by event id.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/pg/pool.h"

namespace backoffice::metrics {
class Registry;
class Gauge;
class Counter;
}  // namespace backoffice::metrics

namespace backoffice::outbox {

class RelayListener;

/// One pending outbox row as the relay reads it.
struct OutboxRow {
  int64_t position = 0;
  std::string id;
  std::string aggregate_type;
  std::string aggregate_id;
  std::string event_type;
  std::string actor_type;
  std::string actor_id;
  std::string request_id;
  std::string trace_id;
  std::optional<std::string> before;
  std::optional<std::string> after;
  std::string metadata;
  absl::Time occurred_at;
};

/// What the consumer did with one event of a delivered batch.
struct DeliveryResult {
  enum class Kind {
    /// Stored now or earlier (a repeat): done.
    kDelivered,
    /// Acknowledged, with a remark kept in last_delivery_error (e.g. an id conflict): done.
    kDeliveredWithRemark,
    /// Refused for good (invalid): parked, never retried; counted.
    kRejected,
  };
  Kind kind = Kind::kDelivered;
  std::string remark;
};

/// Where events go. Implementations are called from the relay's thread only.
class EventSink {
 public:
  virtual ~EventSink() = default;

  /// Delivers `rows` (in order). OK with one result per row, or an error when the batch as a
  /// whole was not acknowledged (consumer down, timeout): the relay retries it later.
  virtual absl::StatusOr<std::vector<DeliveryResult>> Deliver(
      const std::vector<OutboxRow>& rows) = 0;
};

struct RelayOptions {
  /// The schema whose `outbox` the pool's search_path resolves to; names the LISTEN channel and
  /// the metrics' `schema` label.
  std::string schema;
  /// Events per claim (the audit service takes at most 500 per call).
  int batch_size = 100;
  /// The fallback poll when no notification arrives (notifications are lost while the
  /// listening connection is down).
  absl::Duration poll_interval = absl::Seconds(5);
  /// Backoff after a failed delivery: doubles from initial to max, with full jitter in
  /// [delay/2, delay].
  absl::Duration initial_backoff = absl::Milliseconds(200);
  absl::Duration max_backoff = absl::Seconds(30);
  /// Delivered events are deleted this long after delivery...
  absl::Duration retention = absl::Hours(24 * 7);
  /// ...checked this often.
  absl::Duration prune_interval = absl::Minutes(10);
  /// Metrics go here (lag gauges, delivered and failure counters); nullptr: none.
  metrics::Registry* registry = nullptr;
};

/// Thread-safe: Start/Stop from any thread; the Deliver/Prune/RefreshLag calls may also be used
/// directly (tests, jobs) while the thread is not running.
class Relay final {
 public:
  /// `pool` sessions must have search_path = options.schema; pool and sink outlive the relay.
  Relay(pg::Pool& pool, EventSink& sink, RelayOptions options);
  ~Relay();

  /// Starts the relay thread.
  void Start();
  /// Stops and joins it (an in-flight batch finishes or rolls back first).
  void Stop();

  /// One claim-send-mark cycle. Returns how many events it claimed (0: nothing pending). An
  /// error from the sink or the database is returned after the attempt was recorded.
  absl::StatusOr<int> DeliverBatch();

  /// Deletes events delivered before `now - retention`; returns how many.
  absl::StatusOr<int64_t> Prune(absl::Time now);

  /// Reads pending count and oldest pending age into the gauges and returns them.
  struct Lag {
    int64_t pending = 0;
    double oldest_age_seconds = 0;
  };
  absl::StatusOr<Lag> RefreshLag();

  /// Batches that failed (for tests and logs).
  int64_t failures() const { return failures_.load(); }

 private:
  void Loop();
  // Waits up to `timeout` for a notification on `listener` (the .cc's LISTEN session) or Stop.
  // With `wake_on_notify` false, notifications are drained but do not end the wait (backoff).
  void Wait(RelayListener& listener, absl::Duration timeout, bool wake_on_notify);
  bool Stopping();

  pg::Pool& pool_;
  EventSink& sink_;
  RelayOptions options_;
  std::atomic<int64_t> failures_{0};
  metrics::Gauge* pending_gauge_ = nullptr;
  metrics::Gauge* age_gauge_ = nullptr;
  metrics::Counter* delivered_counter_ = nullptr;
  metrics::Counter* failure_counter_ = nullptr;
  metrics::Counter* rejected_counter_ = nullptr;

  absl::Mutex mutex_;
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  int wake_pipe_[2] = {-1, -1};
  std::thread thread_;
};

}  // namespace backoffice::outbox
