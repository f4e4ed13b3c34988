#include "libs/watch/serve_watch.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"

namespace backoffice::watch {
namespace {

using Kind = ChangeEvent::Kind;

// Waits (bounded) until `feed` has `count` subscribers; the bound only stops a broken test.
void AwaitSubscribers(const ChangeFeed& feed, size_t count) {
  absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (feed.subscribers() != count && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  REQUIRE(feed.subscribers() == count);
}

TEST_CASE("a watch writes the feed's state, then each event, until the watcher cancels") {
  ChangeFeed feed;
  feed.Publish({Kind::kLive, ""});
  std::atomic<bool> cancelled{false};
  absl::Mutex mutex;
  std::vector<ChangeEvent> written;
  std::thread publisher([&] {
    AwaitSubscribers(feed, 1);
    feed.Publish({Kind::kKey, "u1"});
    feed.Publish({Kind::kAll, ""});
  });
  absl::Status ended = ServeWatch(
      feed, [&] { return cancelled.load(); },
      [&](const ChangeEvent& event) {
        absl::MutexLock lock(&mutex);
        written.push_back(event);
        if (written.size() == 3) cancelled = true;
        return true;
      },
      absl::Milliseconds(10));
  publisher.join();
  CHECK(ended.code() == absl::StatusCode::kCancelled);
  CHECK(written ==
        std::vector<ChangeEvent>{{Kind::kLive, ""}, {Kind::kKey, "u1"}, {Kind::kAll, ""}});
  CHECK(feed.subscribers() == 0);
}

TEST_CASE("a failed write ends the watch") {
  ChangeFeed feed;
  int writes = 0;
  absl::Status ended = ServeWatch(
      feed, [] { return false; },
      [&](const ChangeEvent&) {
        ++writes;
        return false;
      });
  CHECK(ended.code() == absl::StatusCode::kCancelled);
  CHECK(writes == 1);
}

TEST_CASE("closing the feed ends the watch with UNAVAILABLE naming the service") {
  ChangeFeed feed({.service = "users"});
  std::thread closer([&] {
    AwaitSubscribers(feed, 1);
    feed.Close();
  });
  absl::Status ended = ServeWatch(
      feed, [] { return false; }, [](const ChangeEvent&) { return true; }, absl::Milliseconds(10));
  closer.join();
  CHECK(ended.code() == absl::StatusCode::kUnavailable);
  CHECK(ended.message() == "this users replica is shutting down");
}

TEST_CASE("a watch refused by the feed writes nothing") {
  ChangeFeed feed({.service = "users", .max_subscribers = 1});
  auto held = feed.Subscribe();
  REQUIRE(held.ok());
  int writes = 0;
  auto write = [&](const ChangeEvent&) { return ++writes > 0; };
  CHECK(ServeWatch(
            feed, [] { return false; }, write)
            .code() == absl::StatusCode::kResourceExhausted);
  feed.Close();
  held->reset();
  CHECK(ServeWatch(
            feed, [] { return false; }, write)
            .code() == absl::StatusCode::kUnavailable);
  CHECK(writes == 0);
}

}  // namespace
}  // namespace backoffice::watch
