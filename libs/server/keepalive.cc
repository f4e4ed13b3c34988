#include "libs/server/keepalive.h"

#include <algorithm>

namespace backoffice::server {
namespace {

int Millis(absl::Duration interval) {
  return static_cast<int>(absl::ToInt64Milliseconds(std::max(interval, kMinKeepaliveInterval)));
}

}  // namespace

void SetClientKeepalive(grpc::ChannelArguments& arguments, absl::Duration interval) {
  arguments.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, Millis(interval));
  arguments.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, Millis(interval));
  // gRPC stops pinging after two pings without data frames by default: a quiet stream would
  // then go unwatched again.
  arguments.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
}

void SetServerKeepalive(grpc::ServerBuilder& builder, absl::Duration interval) {
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, Millis(interval));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, Millis(interval));
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  // Clients' pings: the default policy (one per 5 minutes without data) would answer a client
  // that pings a quiet stream every few seconds with GOAWAY "too_many_pings". Half the clients'
  // floor leaves room for timer jitter; a client pinging faster still gets gRPC's usual strikes.
  builder.AddChannelArgument(
      GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
      static_cast<int>(absl::ToInt64Milliseconds(kMinKeepaliveInterval / 2)));
}

}  // namespace backoffice::server
