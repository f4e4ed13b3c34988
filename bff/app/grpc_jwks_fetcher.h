// A jwt::JwksFetcher over the users service's GetJwks gRPC call (the same idea as
// services/roles/grpc_jwks_fetcher.h). Only the JwksRefresher's background thread calls it: it
// blocks for up to its deadline.
#pragma once

#include <memory>

#include "absl/time/time.h"
#include "libs/jwt/jwks_fetcher.h"

namespace grpc {
class Channel;
}

namespace backoffice::bff::app {

/// Fetches `GetJwksResponse.jwks_json`; UNAVAILABLE naming the gRPC error.
jwt::JwksFetcherPtr MakeGrpcJwksFetcher(std::shared_ptr<grpc::Channel> channel,
                                        absl::Duration deadline = absl::Seconds(5));

}  // namespace backoffice::bff::app
