// A jwt::JwksFetcher over the users service's GetJwks gRPC call, so a service verifies callers'
// tokens with the users service's current public keys (cached by jwt::JwksCache).
//
//   auto keys = std::make_shared<jwt::JwksCache>(MakeGrpcJwksFetcher(channel));
#pragma once

#include <memory>

#include "libs/jwt/jwks_fetcher.h"

namespace grpc {
class Channel;
}

namespace backoffice::auth {

/// Fetches `GetJwksResponse.jwks_json` with a 5 s deadline; UNAVAILABLE naming the gRPC error.
jwt::JwksFetcherPtr MakeGrpcJwksFetcher(std::shared_ptr<grpc::Channel> channel);

}  // namespace backoffice::auth
