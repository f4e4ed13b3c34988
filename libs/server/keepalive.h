// HTTP/2 keepalive pings between the platform's processes, so that a peer which vanished
// without closing its socket (a frozen or partitioned process, a lost node) fails the calls open
// on that connection instead of leaving them open forever. What matters most is a long-lived
// stream that carries no data for minutes (WatchPermissionChanges, WatchUserChanges): without a
// ping, neither side would notice, and a cache kept exact by the stream would silently stop
// hearing changes.
//
//   grpc::ChannelArguments arguments;
//   SetClientKeepalive(arguments, absl::Seconds(10));    // clients: every channel
//   SetServerKeepalive(builder, absl::Seconds(30));      // servers: ServiceHost
#pragma once

#include <grpcpp/server_builder.h>
#include <grpcpp/support/channel_arguments.h>

#include "absl/time/time.h"

namespace backoffice::server {

/// Clients ping at most this often; a server accepts pings twice as frequent.
inline constexpr absl::Duration kMinKeepaliveInterval = absl::Seconds(1);

/// A ping every `interval` while calls are open, even when no data flows; the connection (and
/// its calls, with UNAVAILABLE) is dropped when one is not answered within `interval`. At least
/// kMinKeepaliveInterval.
void SetClientKeepalive(grpc::ChannelArguments& arguments, absl::Duration interval);

/// Accepts clients' pings down to half kMinKeepaliveInterval apart, and pings each client every
/// `interval` while it has calls open, dropping it when a ping goes unanswered for `interval`:
/// a handler serving a vanished client's stream is cancelled and its thread freed.
void SetServerKeepalive(grpc::ServerBuilder& builder, absl::Duration interval);

}  // namespace backoffice::server
