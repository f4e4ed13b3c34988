#include "services/roles/change_listener.h"

#include <poll.h>
#include <postgresql/libpq-fe.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <utility>

#include "absl/time/clock.h"
#include "libs/log/log.h"
#include "libs/pg/connection.h"
#include "services/roles/store/store_support.h"

namespace backoffice::roles {

ChangeListener::ChangeListener(pg::ConnectionOptions connection, PermissionCache& cache,
                               ChangeFeed* feed, ChangeListenerOptions options)
    : connection_(std::move(connection)), cache_(cache), feed_(feed), options_(options) {
  if (pipe(wake_pipe_) != 0) {
    wake_pipe_[0] = wake_pipe_[1] = -1;
  }
}

ChangeListener::~ChangeListener() {
  Stop();
  for (int fd : wake_pipe_) {
    if (fd >= 0) close(fd);
  }
}

void ChangeListener::Start() {
  cache_.SetEnabled(false);
  thread_ = std::thread([this] { Run(); });
}

void ChangeListener::Stop() {
  if (stopping_.exchange(true)) {
    return;
  }
  if (wake_pipe_[1] >= 0) {
    char byte = 1;
    [[maybe_unused]] ssize_t written = write(wake_pipe_[1], &byte, 1);
  }
  if (thread_.joinable()) thread_.join();
}

void ChangeListener::Run() {
  absl::Duration delay = options_.reconnect_delay;
  while (!stopping_.load()) {
    uint64_t connects_before = connects_.load();
    if (!ListenOnce()) {
      return;
    }
    if (connects_.load() != connects_before) {
      delay = options_.reconnect_delay;  // it had worked: start the backoff over
    }
    // Lost: nothing cached can be trusted until we listen again.
    cache_.SetEnabled(false);
    Publish(ChangeEvent::Kind::kPaused);
    pollfd wake{.fd = wake_pipe_[0], .events = POLLIN, .revents = 0};
    poll(&wake, 1, static_cast<int>(absl::ToInt64Milliseconds(delay)));
    delay = std::min(delay * 2, options_.max_reconnect_delay);
  }
}

bool ChangeListener::ListenOnce() {
  absl::StatusOr<pg::Connection> conn = pg::Connection::Open(connection_);
  if (!conn.ok()) {
    log::Warn("roles_changed listener cannot connect", {{"error", conn.status().ToString()}});
    return !stopping_.load();
  }
  if (absl::Status s = conn->ExecuteScript(std::string("LISTEN ") + kChangeChannel); !s.ok()) {
    log::Warn("roles_changed listener cannot LISTEN", {{"error", s.ToString()}});
    return !stopping_.load();
  }
  // Anything cached before this point may have missed a notification.
  cache_.SetEnabled(true);
  Publish(ChangeEvent::Kind::kLive);
  listening_.store(true);
  connects_.fetch_add(1);
  PGconn* native = conn->native();
  while (!stopping_.load()) {
    pollfd fds[2] = {{.fd = PQsocket(native), .events = POLLIN, .revents = 0},
                     {.fd = wake_pipe_[0], .events = POLLIN, .revents = 0}};
    int ready = poll(fds, 2, 1000);
    if (ready < 0) {
      continue;
    }
    if (fds[1].revents != 0) {
      break;
    }
    if (fds[0].revents == 0) {
      continue;
    }
    if (PQconsumeInput(native) == 0 || PQstatus(native) != CONNECTION_OK) {
      log::Warn("roles_changed listener lost its connection; caching paused");
      listening_.store(false);
      return !stopping_.load();
    }
    while (PGnotify* notify = PQnotifies(native)) {
      std::string_view payload = notify->extra != nullptr ? notify->extra : "";
      if (payload == kNotifyAll || payload.empty()) {
        cache_.InvalidateAll();
        Publish(ChangeEvent::Kind::kAll);
      } else {
        cache_.Invalidate(payload);
        Publish(ChangeEvent::Kind::kUser, payload);
      }
      notifications_.fetch_add(1);
      PQfreemem(notify);
    }
  }
  listening_.store(false);
  return false;
}

void ChangeListener::Publish(ChangeEvent::Kind kind, std::string_view user_id) {
  if (feed_ != nullptr) feed_->Publish({.kind = kind, .user_id = std::string(user_id)});
}

}  // namespace backoffice::roles
