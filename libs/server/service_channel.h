// The channel one platform service uses to call another: plaintext on the cluster network and a
// short reconnect backoff. gRPC's default backoff grows to 120 s, so a service that tried a peer
// while it was starting (a watch stream, a registration) would then fail every call for up to two
// minutes after the peer came up; here a peer that is back is reached again within 5 s.
//
//   std::shared_ptr<grpc::Channel> roles = server::CreateServiceChannel(roles_address);
#pragma once

#include <memory>
#include <string>

namespace grpc {
class Channel;
}

namespace backoffice::server {

std::shared_ptr<grpc::Channel> CreateServiceChannel(const std::string& address);

}  // namespace backoffice::server
