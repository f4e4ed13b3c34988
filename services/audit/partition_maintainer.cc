#include "services/audit/partition_maintainer.h"

#include "absl/strings/str_cat.h"
#include "libs/log/log.h"

namespace backoffice::audit {

PartitionMaintainer::~PartitionMaintainer() {
  {
    absl::MutexLock lock(&mutex_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

absl::Status PartitionMaintainer::RunOnce() {
  absl::StatusOr<int> created = store_.EnsurePartitions(absl::Now(), options_.months_ahead);
  if (!created.ok()) return created.status();
  if (*created > 0) log::Info("audit partitions created", {{"count", absl::StrCat(*created)}});
  return absl::OkStatus();
}

void PartitionMaintainer::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void PartitionMaintainer::Loop() {
  while (true) {
    {
      absl::MutexLock lock(&mutex_);
      auto stopping = [this]() ABSL_SHARED_LOCKS_REQUIRED(mutex_) { return stopping_; };
      if (mutex_.AwaitWithTimeout(absl::Condition(&stopping), options_.interval)) return;
    }
    if (absl::Status status = RunOnce(); !status.ok()) {
      log::Warn("audit partitions not created", {{"error", std::string(status.message())}});
    }
  }
}

}  // namespace backoffice::audit
