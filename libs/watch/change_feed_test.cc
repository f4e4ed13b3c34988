#include "libs/watch/change_feed.h"

#include <catch2/catch.hpp>
#include <thread>

namespace backoffice::watch {
namespace {

using Kind = ChangeEvent::Kind;

std::vector<ChangeEvent> NextNow(ChangeFeed::Subscription& subscription) {
  std::optional<std::vector<ChangeEvent>> events = subscription.Next(absl::ZeroDuration());
  REQUIRE(events.has_value());
  return *events;
}

TEST_CASE("a subscription starts from the feed's state, then gets every event in order") {
  ChangeFeed feed;
  auto before = feed.Subscribe();
  REQUIRE(before.ok());
  CHECK(NextNow(**before) == std::vector<ChangeEvent>{{Kind::kPaused, ""}});

  feed.Publish({Kind::kLive, ""});
  auto after = feed.Subscribe();
  REQUIRE(after.ok());
  feed.Publish({Kind::kKey, "u1"});
  feed.Publish({Kind::kAll, ""});
  CHECK(NextNow(**before) ==
        std::vector<ChangeEvent>{{Kind::kLive, ""}, {Kind::kKey, "u1"}, {Kind::kAll, ""}});
  CHECK(NextNow(**after) ==
        std::vector<ChangeEvent>{{Kind::kLive, ""}, {Kind::kKey, "u1"}, {Kind::kAll, ""}});
  CHECK(NextNow(**after).empty());
  CHECK(feed.subscribers() == 2);
  before->reset();
  CHECK(feed.subscribers() == 1);
}

TEST_CASE("Next waits for an event published from another thread") {
  ChangeFeed feed;
  auto subscription = feed.Subscribe();
  REQUIRE(subscription.ok());
  NextNow(**subscription);
  std::thread publisher([&] { feed.Publish({Kind::kKey, "u2"}); });
  std::vector<ChangeEvent> heard;
  for (int i = 0; i < 100 && heard.empty(); ++i) {
    std::optional<std::vector<ChangeEvent>> events = (*subscription)->Next(absl::Seconds(1));
    REQUIRE(events.has_value());
    heard = *events;
  }
  publisher.join();
  CHECK(heard == std::vector<ChangeEvent>{{Kind::kKey, "u2"}});
}

TEST_CASE("a subscriber that falls behind gets one ALL instead of its backlog") {
  ChangeFeed feed({.max_subscribers = 4, .max_queued = 3});
  auto subscription = feed.Subscribe();
  REQUIRE(subscription.ok());
  for (int i = 0; i < 10; ++i) feed.Publish({Kind::kKey, "u" + std::to_string(i)});
  std::vector<ChangeEvent> heard = NextNow(**subscription);
  REQUIRE(heard.size() <= 3);
  CHECK(heard.front() == ChangeEvent{Kind::kAll, ""});
  CHECK(heard.back() == ChangeEvent{Kind::kKey, "u9"});
}

TEST_CASE("the feed bounds its subscribers and ends them all when closed") {
  ChangeFeed feed({.max_subscribers = 1, .max_queued = 8});
  auto first = feed.Subscribe();
  REQUIRE(first.ok());
  auto second = feed.Subscribe();
  CHECK(second.status().code() == absl::StatusCode::kResourceExhausted);

  feed.Close();
  CHECK_FALSE((*first)->Next(absl::Seconds(5)).has_value());
  CHECK(feed.Subscribe().status().code() == absl::StatusCode::kUnavailable);
}

TEST_CASE("kinds are numbered as the watch contracts number them") {
  CHECK(KindNumber(Kind::kLive) == 1);
  CHECK(KindNumber(Kind::kKey) == 2);
  CHECK(KindNumber(Kind::kAll) == 3);
  CHECK(KindNumber(Kind::kPaused) == 4);
}

}  // namespace
}  // namespace backoffice::watch
