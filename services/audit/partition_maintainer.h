// Keeps monthly partitions of audit.events ahead of the clock and, with retention on, drops the
// months older than the retention: creates the current and the next months' partitions at start
// and then once a day, and applies retention on its thread at start and then once a day.
//
//   PartitionMaintainer maintainer(store, {.months_ahead = 3, .retention_months = 13});
//   if (absl::Status s = maintainer.RunOnce(); !s.ok()) return s;   // at start: must work
//   maintainer.Start();                                              // daily; stops in ~
#pragma once

#include <optional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/audit/store/event_store.h"

namespace backoffice::audit {

struct PartitionMaintainerOptions {
  /// Months of partitions to keep ready, the current one included.
  int months_ahead = 3;
  /// Whole months kept before the current one; 0 keeps everything (no retention).
  int retention_months = 0;
  absl::Duration interval = absl::Hours(24);
};

class PartitionMaintainer final {
 public:
  PartitionMaintainer(EventStore& store, PartitionMaintainerOptions options)
      : store_(store), options_(options) {}
  /// Stops the thread.
  ~PartitionMaintainer();

  /// Creates missing partitions now.
  absl::Status RunOnce();

  /// Applies retention now (EventStore::ApplyRetention with `now`): the boundary recorded, or
  /// nullopt when retention is off or nothing was old enough.
  absl::StatusOr<std::optional<RetentionBoundary>> ApplyRetention(absl::Time now);

  /// Starts the thread: retention at once, then partitions and retention daily (failures are
  /// logged and retried at the next run).
  void Start();

 private:
  void Loop();
  void RetainAndLog();

  EventStore& store_;
  PartitionMaintainerOptions options_;
  absl::Mutex mutex_;
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

}  // namespace backoffice::audit
