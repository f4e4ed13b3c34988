// The bridge from a PostgreSQL notification channel to a ChangeFeed: a pg::NotificationHandler
// that publishes what a pg::NotificationListener hears, so a service's watch streams follow
// every committed change of any replica.
//
//   ChangeFeed feed({.service = "users"});
//   FeedPublisher publisher(feed);
//   pg::NotificationListener listener(connection, "users_changed", publisher);
//   listener.Start();
//
// Payloads follow one convention on every channel: a key (a user id), or kNotifyAll ("all"; an
// empty payload counts as all too) when anything may have changed.
#pragma once

#include <string_view>

#include "libs/pg/notification_listener.h"
#include "libs/watch/change_feed.h"

namespace backoffice::watch {

/// The payload that means "anything may have changed".
inline constexpr std::string_view kNotifyAll = "all";

/// The event a notification's payload stands for: kAll for kNotifyAll or "", else kKey.
ChangeEvent EventOfPayload(std::string_view payload);

/// OnListening publishes kLive, a notification EventOfPayload, OnLost kPaused.
class FeedPublisher final : public pg::NotificationHandler {
 public:
  /// `feed` must outlive the publisher.
  explicit FeedPublisher(ChangeFeed& feed) : feed_(feed) {}

  void OnListening() override;
  void OnNotification(std::string_view payload) override;
  void OnLost() override;

 private:
  ChangeFeed& feed_;
};

}  // namespace backoffice::watch
