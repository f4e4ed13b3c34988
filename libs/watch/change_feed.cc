#include "libs/watch/change_feed.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace backoffice::watch {

int KindNumber(ChangeEvent::Kind kind) {
  switch (kind) {
    case ChangeEvent::Kind::kLive:
      return 1;
    case ChangeEvent::Kind::kKey:
      return 2;
    case ChangeEvent::Kind::kAll:
      return 3;
    case ChangeEvent::Kind::kPaused:
      return 4;
  }
  return 3;
}

ChangeFeed::Subscription::~Subscription() { feed_.Unsubscribe(queue_); }

std::optional<std::vector<ChangeEvent>> ChangeFeed::Subscription::Next(absl::Duration timeout) {
  struct Ready {
    const Queue* queue;
    const bool* closed;
    bool Check() const { return *closed || !queue->events.empty(); }
  };
  Queue* queue = queue_.get();
  absl::MutexLock lock(&feed_.mutex_);
  Ready ready{queue, &feed_.closed_};
  feed_.mutex_.AwaitWithTimeout(absl::Condition(&ready, &Ready::Check), timeout);
  if (feed_.closed_) return std::nullopt;
  std::vector<ChangeEvent> events(std::make_move_iterator(queue->events.begin()),
                                  std::make_move_iterator(queue->events.end()));
  queue->events.clear();
  return events;
}

absl::StatusOr<std::unique_ptr<ChangeFeed::Subscription>> ChangeFeed::Subscribe() {
  absl::MutexLock lock(&mutex_);
  if (closed_) {
    return absl::UnavailableError(
        absl::StrCat("this ", options_.service, " replica is shutting down"));
  }
  if (queues_.size() >= options_.max_subscribers) {
    return absl::ResourceExhaustedError(
        absl::StrCat("too many watchers on this ", options_.service, " replica"));
  }
  auto queue = std::make_shared<Queue>();
  queue->events.push_back(
      {.kind = live_ ? ChangeEvent::Kind::kLive : ChangeEvent::Kind::kPaused, .key = ""});
  queues_.insert(queue);
  return std::unique_ptr<Subscription>(new Subscription(*this, std::move(queue)));
}

void ChangeFeed::Publish(const ChangeEvent& event) {
  absl::MutexLock lock(&mutex_);
  if (event.kind == ChangeEvent::Kind::kLive) live_ = true;
  if (event.kind == ChangeEvent::Kind::kPaused) live_ = false;
  for (const std::shared_ptr<Queue>& queue : queues_) {
    if (queue->events.size() >= options_.max_queued) {
      // Behind: one ALL says everything the dropped events could have said.
      queue->events.clear();
      queue->events.push_back({.kind = ChangeEvent::Kind::kAll, .key = ""});
    }
    queue->events.push_back(event);
  }
}

void ChangeFeed::Close() {
  absl::MutexLock lock(&mutex_);
  closed_ = true;
}

size_t ChangeFeed::subscribers() const {
  absl::MutexLock lock(&mutex_);
  return queues_.size();
}

void ChangeFeed::Unsubscribe(const std::shared_ptr<Queue>& queue) {
  absl::MutexLock lock(&mutex_);
  queues_.erase(queue);
}

}  // namespace backoffice::watch
