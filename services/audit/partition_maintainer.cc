#include "services/audit/partition_maintainer.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
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

absl::StatusOr<std::optional<RetentionBoundary>> PartitionMaintainer::ApplyRetention(
    absl::Time now) {
  if (options_.retention_months <= 0) return std::nullopt;
  return store_.ApplyRetention(now, options_.retention_months);
}

void PartitionMaintainer::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void PartitionMaintainer::RetainAndLog() {
  absl::StatusOr<std::optional<RetentionBoundary>> applied = ApplyRetention(absl::Now());
  if (!applied.ok()) {
    log::Warn("audit retention not applied", {{"error", std::string(applied.status().message())}});
    return;
  }
  if (!applied->has_value()) return;
  const RetentionBoundary& b = **applied;
  log::Info("audit retention applied",
            {{"partitions", absl::StrJoin(b.dropped_partitions, ",")},
             {"events_removed", absl::StrCat(b.events_removed)},
             {"first_retained_sequence", absl::StrCat(b.first_retained_sequence)},
             {"event_sequence", absl::StrCat(b.event_sequence)}});
}

void PartitionMaintainer::Loop() {
  RetainAndLog();
  while (true) {
    {
      absl::MutexLock lock(&mutex_);
      auto stopping = [this]() ABSL_SHARED_LOCKS_REQUIRED(mutex_) { return stopping_; };
      if (mutex_.AwaitWithTimeout(absl::Condition(&stopping), options_.interval)) return;
    }
    if (absl::Status status = RunOnce(); !status.ok()) {
      log::Warn("audit partitions not created", {{"error", std::string(status.message())}});
    }
    RetainAndLog();
  }
}

}  // namespace backoffice::audit
