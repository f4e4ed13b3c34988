#include "libs/server/periodic_task.h"

#include "libs/log/log.h"

namespace backoffice::server {

void PeriodicTask::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void PeriodicTask::Stop() {
  if (!stopping_.HasBeenNotified()) stopping_.Notify();
  if (thread_.joinable()) thread_.join();
}

void PeriodicTask::Loop() {
  while (!stopping_.WaitForNotificationWithTimeout(interval_)) {
    if (absl::Status status = run_(); !status.ok()) {
      log::Warn("periodic task failed; retrying at the next run",
                {{"task", name_}, {"error", status.ToString()}});
    }
  }
}

}  // namespace backoffice::server
