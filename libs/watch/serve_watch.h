// The body of a server-streaming watch handler (WatchPermissionChanges, WatchUserChanges): one
// subscription to a ChangeFeed, each event written to the client as it comes, until the client
// goes away or the replica shuts down. The handler admits the call first and converts the
// result with server::ToGrpcStatus.
//
//   absl::Status ended = watch::ServeWatch(
//       feed, [context] { return context->IsCancelled(); },
//       [writer](const watch::ChangeEvent& event) { return writer->Write(ToProto(event)); });
#pragma once

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/watch/change_feed.h"

namespace backoffice::watch {

/// How often a quiet stream notices that its client went away.
inline constexpr absl::Duration kWatchPoll = absl::Seconds(1);

/// Subscribes to `feed` and writes every event through `write` (false: the client is gone),
/// asking `cancelled` at least every `poll`. Holds the calling thread until it returns:
/// Subscribe's error (RESOURCE_EXHAUSTED at the feed's max_subscribers, UNAVAILABLE once closed);
/// UNAVAILABLE when the feed closes (the replica is shutting down: the client reconnects);
/// CANCELLED when `cancelled` says so or a write fails. Never OK: a watch has no end of its own.
absl::Status ServeWatch(ChangeFeed& feed, absl::FunctionRef<bool()> cancelled,
                        absl::FunctionRef<bool(const ChangeEvent&)> write,
                        absl::Duration poll = kWatchPoll);

}  // namespace backoffice::watch
