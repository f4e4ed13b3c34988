// Keeps monthly partitions of audit.events ahead of the clock: creates the current and the next
// months' partitions at start and then once a day, on a thread of its own.
//
//   PartitionMaintainer maintainer(store, {.months_ahead = 3});
//   if (absl::Status s = maintainer.RunOnce(); !s.ok()) return s;   // at start: must work
//   maintainer.Start();                                              // daily; stops in ~
#pragma once

#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/audit/store/event_store.h"

namespace backoffice::audit {

struct PartitionMaintainerOptions {
  /// Months of partitions to keep ready, the current one included.
  int months_ahead = 3;
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

  /// Starts the daily thread (failures are logged and retried at the next run).
  void Start();

 private:
  void Loop();

  EventStore& store_;
  PartitionMaintainerOptions options_;
  absl::Mutex mutex_;
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

}  // namespace backoffice::audit
