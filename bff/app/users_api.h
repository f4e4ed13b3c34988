#pragma once

#include <memory>

#include "bff/downstream/service_client.h"
#include "proto/users/v1/users.grpc.pb.h"

namespace backoffice::bff::app {

/// The users service as route handlers call it: its client (channel, deadlines, metrics) and one
/// stub for the life of the process.
struct UsersApi {
  downstream::ServiceClient* client = nullptr;
  std::shared_ptr<users::v1::UsersService::Stub> stub;

  class users::v1::UsersService::Stub::async* async() const {
    return stub->async();
  }
};

}  // namespace backoffice::bff::app
