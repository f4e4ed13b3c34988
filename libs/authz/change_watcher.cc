#include "libs/authz/change_watcher.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/log/log.h"

namespace backoffice::authz {

absl::Status StreamEndStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

ChangeWatcher::ChangeWatcher(std::string what, StreamOpener open, TokenSource token,
                             CacheInvalidation& cache, ChangeWatcherOptions options)
    : what_(std::move(what)),
      open_(std::move(open)),
      token_(std::move(token)),
      cache_(cache),
      options_(options) {}

ChangeWatcher::~ChangeWatcher() { Stop(); }

void ChangeWatcher::Start() {
  SetLive(false);
  thread_ = std::thread([this] { Run(); });
}

void ChangeWatcher::Stop() {
  {
    absl::MutexLock lock(&mutex_);
    if (stopping_.HasBeenNotified()) return;
    stopping_.Notify();
    if (current_ != nullptr) current_->TryCancel();
  }
  if (thread_.joinable()) thread_.join();
}

void ChangeWatcher::SetLive(bool live) {
  // Either way everything cached so far is dropped: entering live, answers loaded before the
  // stream could have missed a change; leaving it, changes may be missed from now on.
  cache_.SetEnabled(live);
  live_.store(live);
}

void ChangeWatcher::Run() {
  absl::Duration delay = options_.reconnect_delay;
  while (!stopping_.HasBeenNotified()) {
    if (WatchOnce()) delay = options_.reconnect_delay;  // it had worked: start the backoff over
    SetLive(false);
    if (stopping_.WaitForNotificationWithTimeout(delay)) return;
    delay = std::min(delay * 2, options_.max_reconnect_delay);
  }
}

bool ChangeWatcher::WatchOnce() {
  absl::StatusOr<std::string> token = token_();
  if (!token.ok()) {
    log::Warn(absl::StrCat(what_, " watch: no service token"),
              {{"error", token.status().ToString()}});
    return false;
  }
  grpc::ClientContext context;
  context.AddMetadata("authorization", absl::StrCat("Bearer ", *token));
  {
    absl::MutexLock lock(&mutex_);
    if (stopping_.HasBeenNotified()) return false;
    current_ = &context;
  }
  std::unique_ptr<ChangeStream> stream = open_(context);
  streams_.fetch_add(1);
  bool was_live = false;
  Change change;
  while (stream->Read(change)) {
    changes_.fetch_add(1);
    switch (change.kind) {
      case Change::Kind::kLive:
        SetLive(true);
        was_live = true;
        break;
      case Change::Kind::kKey:
        cache_.Invalidate(change.key);
        break;
      case Change::Kind::kPaused:
        SetLive(false);
        break;
      case Change::Kind::kAll:
        cache_.InvalidateAll();
        break;
    }
  }
  SetLive(false);
  absl::Status status = stream->Finish();
  {
    absl::MutexLock lock(&mutex_);
    current_ = nullptr;
  }
  if (!stopping_.HasBeenNotified()) {
    log::Warn(absl::StrCat(what_, " watch ended; caching paused until it is back"),
              {{"error", status.ToString()}});
  }
  return was_live;
}

}  // namespace backoffice::authz
