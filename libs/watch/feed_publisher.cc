#include "libs/watch/feed_publisher.h"

#include <string>

namespace backoffice::watch {

ChangeEvent EventOfPayload(std::string_view payload) {
  if (payload.empty() || payload == kNotifyAll) {
    return {.kind = ChangeEvent::Kind::kAll, .key = ""};
  }
  return {.kind = ChangeEvent::Kind::kKey, .key = std::string(payload)};
}

void FeedPublisher::OnListening() { feed_.Publish({.kind = ChangeEvent::Kind::kLive, .key = ""}); }

void FeedPublisher::OnNotification(std::string_view payload) {
  feed_.Publish(EventOfPayload(payload));
}

void FeedPublisher::OnLost() { feed_.Publish({.kind = ChangeEvent::Kind::kPaused, .key = ""}); }

}  // namespace backoffice::watch
