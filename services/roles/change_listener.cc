#include "services/roles/change_listener.h"

#include <utility>

#include "services/roles/store/store_support.h"

namespace backoffice::roles {

ChangeListener::ChangeListener(pg::ConnectionOptions connection, PermissionCache& cache,
                               watch::ChangeFeed* feed, ChangeListenerOptions options)
    : cache_(cache), listener_(std::move(connection), kChangeChannel, *this, options) {
  if (feed != nullptr) publisher_.emplace(*feed);
}

ChangeListener::~ChangeListener() { listener_.Stop(); }

void ChangeListener::Start() {
  cache_.SetEnabled(false);
  listener_.Start();
}

void ChangeListener::OnListening() {
  // Anything cached before this point may have missed a notification.
  cache_.SetEnabled(true);
  if (publisher_) publisher_->OnListening();
}

void ChangeListener::OnNotification(std::string_view payload) {
  watch::ChangeEvent event = watch::EventOfPayload(payload);
  if (event.kind == watch::ChangeEvent::Kind::kAll) {
    cache_.InvalidateAll();
  } else {
    cache_.Invalidate(event.key);
  }
  if (publisher_) publisher_->OnNotification(payload);
}

void ChangeListener::OnLost() {
  // Nothing cached can be trusted until we listen again.
  cache_.SetEnabled(false);
  if (publisher_) publisher_->OnLost();
}

}  // namespace backoffice::roles
