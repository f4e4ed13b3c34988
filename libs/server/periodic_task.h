// Runs a function now and then on its own thread until stopped: a service's housekeeping
// (purging expired rows, creating partitions). A failed run is logged and retried at the next.
//
//   PeriodicTask task("users housekeeping", absl::Minutes(10), [&] { return Purge(); });
//   task.Start();   // first run after `interval`; the destructor stops and joins
#pragma once

#include <functional>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace backoffice::server {

class PeriodicTask final {
 public:
  PeriodicTask(std::string name, absl::Duration interval, std::function<absl::Status()> run)
      : name_(std::move(name)), interval_(interval), run_(std::move(run)) {}
  ~PeriodicTask() { Stop(); }
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  void Start();
  /// Wakes the thread and joins it (idempotent); a run in progress finishes first.
  void Stop();

 private:
  void Loop();

  const std::string name_;
  const absl::Duration interval_;
  const std::function<absl::Status()> run_;
  absl::Notification stopping_;
  std::thread thread_;
};

}  // namespace backoffice::server
