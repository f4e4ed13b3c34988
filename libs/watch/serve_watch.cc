#include "libs/watch/serve_watch.h"

#include <memory>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"

namespace backoffice::watch {

absl::Status ServeWatch(ChangeFeed& feed, absl::FunctionRef<bool()> cancelled,
                        absl::FunctionRef<bool(const ChangeEvent&)> write, absl::Duration poll) {
  absl::StatusOr<std::unique_ptr<ChangeFeed::Subscription>> subscription = feed.Subscribe();
  if (!subscription.ok()) return subscription.status();
  while (!cancelled()) {
    std::optional<std::vector<ChangeEvent>> events = (*subscription)->Next(poll);
    if (!events.has_value()) {
      return absl::UnavailableError(
          absl::StrCat("this ", feed.options().service, " replica is shutting down"));
    }
    for (const ChangeEvent& event : *events) {
      if (!write(event)) return absl::CancelledError("the watcher went away");
    }
  }
  return absl::CancelledError("the watcher cancelled");
}

}  // namespace backoffice::watch
