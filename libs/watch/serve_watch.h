// The body of a server-streaming watch handler (WatchPermissionChanges, WatchUserChanges): one
// subscription to a ChangeFeed, each event written to the client as it comes, until the client
// goes away or the replica shuts down. The handler admits the call first and converts the
// result with server::ToGrpcStatus.
//
//   absl::Status ended = watch::ServeWatchStream(feed, *context, *writer);   // a gRPC handler
//   absl::Status ended = watch::ServeWatch(feed, cancelled, write);         // anything else
#pragma once

#include <grpcpp/server_context.h>
#include <grpcpp/support/sync_stream.h>

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

/// ServeWatch over a gRPC server stream of `Message` (roles.v1.PermissionChange,
/// users.v1.UserChange: a `kind` numbered as KindNumber and a `user_id`).
template <typename Message>
absl::Status ServeWatchStream(ChangeFeed& feed, grpc::ServerContext& context,
                              grpc::ServerWriter<Message>& writer) {
  return ServeWatch(
      feed, [&context] { return context.IsCancelled(); },
      [&writer](const ChangeEvent& event) {
        Message change;
        change.set_kind(static_cast<typename Message::Kind>(KindNumber(event.kind)));
        change.set_user_id(event.key);
        return writer.Write(change);
      });
}

}  // namespace backoffice::watch
