#include "libs/pg/notification_listener.h"

#include <poll.h>
#include <postgresql/libpq-fe.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>

#include "libs/log/log.h"
#include "libs/pg/connection.h"

namespace backoffice::pg {

NotificationListener::NotificationListener(ConnectionOptions connection, std::string channel,
                                           NotificationHandler& handler,
                                           NotificationListenerOptions options)
    : connection_(std::move(connection)),
      channel_(std::move(channel)),
      handler_(handler),
      options_(options) {
  if (pipe(wake_pipe_) != 0) {
    wake_pipe_[0] = wake_pipe_[1] = -1;
  }
}

NotificationListener::~NotificationListener() {
  Stop();
  for (int fd : wake_pipe_) {
    if (fd >= 0) close(fd);
  }
}

void NotificationListener::Start() {
  thread_ = std::thread([this] { Run(); });
}

void NotificationListener::Stop() {
  if (stopping_.exchange(true)) {
    return;
  }
  if (wake_pipe_[1] >= 0) {
    char byte = 1;
    [[maybe_unused]] ssize_t written = write(wake_pipe_[1], &byte, 1);
  }
  if (thread_.joinable()) thread_.join();
}

void NotificationListener::Run() {
  absl::Duration delay = options_.reconnect_delay;
  while (!stopping_.load()) {
    uint64_t connects_before = connects_.load();
    if (!ListenOnce()) {
      return;
    }
    if (connects_.load() != connects_before) {
      delay = options_.reconnect_delay;  // it had worked: start the backoff over
    }
    handler_.OnLost();
    pollfd wake{.fd = wake_pipe_[0], .events = POLLIN, .revents = 0};
    poll(&wake, 1, static_cast<int>(absl::ToInt64Milliseconds(delay)));
    delay = std::min(delay * 2, options_.max_reconnect_delay);
  }
}

bool NotificationListener::ListenOnce() {
  absl::StatusOr<Connection> conn = Connection::Open(connection_);
  if (!conn.ok()) {
    log::Warn("notification listener cannot connect",
              {{"channel", channel_}, {"error", conn.status().ToString()}});
    return !stopping_.load();
  }
  PGconn* native = conn->native();
  std::unique_ptr<char, decltype(&PQfreemem)> quoted(
      PQescapeIdentifier(native, channel_.data(), channel_.size()), &PQfreemem);
  if (quoted == nullptr) {
    log::Warn("notification listener cannot quote its channel", {{"channel", channel_}});
    return !stopping_.load();
  }
  if (absl::Status s = conn->ExecuteScript(std::string("LISTEN ") + quoted.get()); !s.ok()) {
    log::Warn("notification listener cannot LISTEN",
              {{"channel", channel_}, {"error", s.ToString()}});
    return !stopping_.load();
  }
  handler_.OnListening();
  listening_.store(true);
  connects_.fetch_add(1);
  while (!stopping_.load()) {
    // Also what libpq read along with an earlier result (LISTEN's own).
    while (PGnotify* notify = PQnotifies(native)) {
      handler_.OnNotification(notify->extra != nullptr ? notify->extra : "");
      notifications_.fetch_add(1);
      PQfreemem(notify);
    }
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
      log::Warn("notification listener lost its connection", {{"channel", channel_}});
      listening_.store(false);
      return !stopping_.load();
    }
  }
  listening_.store(false);
  return false;
}

}  // namespace backoffice::pg
