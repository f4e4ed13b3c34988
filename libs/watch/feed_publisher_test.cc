#include "libs/watch/feed_publisher.h"

#include <catch2/catch.hpp>

namespace backoffice::watch {
namespace {

using Kind = ChangeEvent::Kind;

TEST_CASE("a payload names one key, or everything when it is 'all' or empty") {
  CHECK(EventOfPayload("0190b5f2-7c1e-7d3a-9f00-0123456789ab") ==
        ChangeEvent{Kind::kKey, "0190b5f2-7c1e-7d3a-9f00-0123456789ab"});
  CHECK(EventOfPayload("all") == ChangeEvent{Kind::kAll, ""});
  CHECK(EventOfPayload("") == ChangeEvent{Kind::kAll, ""});
  CHECK(EventOfPayload("ALL") == ChangeEvent{Kind::kKey, "ALL"});
}

TEST_CASE("the publisher turns what the listener hears into the feed's events") {
  ChangeFeed feed;
  FeedPublisher publisher(feed);
  auto subscription = feed.Subscribe();
  REQUIRE(subscription.ok());
  publisher.OnListening();
  publisher.OnNotification("u1");
  publisher.OnNotification("all");
  publisher.OnLost();
  std::optional<std::vector<ChangeEvent>> events = (*subscription)->Next(absl::ZeroDuration());
  REQUIRE(events.has_value());
  CHECK(*events == std::vector<ChangeEvent>{{Kind::kPaused, ""},
                                            {Kind::kLive, ""},
                                            {Kind::kKey, "u1"},
                                            {Kind::kAll, ""},
                                            {Kind::kPaused, ""}});
  // The feed's state follows: a new subscriber starts paused, and live after OnListening.
  publisher.OnListening();
  auto later = feed.Subscribe();
  REQUIRE(later.ok());
  CHECK((*later)->Next(absl::ZeroDuration()) == std::vector<ChangeEvent>{{Kind::kLive, ""}});
}

}  // namespace
}  // namespace backoffice::watch
