#pragma once

#include <memory>

#include "bff/downstream/service_client.h"
#include "bff/downstream/stub_set.h"
#include "proto/users/v1/users.grpc.pb.h"

namespace backoffice::bff::app {

/// The users service as route handlers call it: its client (channels, deadlines, metrics)
/// and a stub per connection, for the life of the process.
struct UsersApi {
  downstream::ServiceClient* client = nullptr;
  std::shared_ptr<const downstream::StubSet<users::v1::UsersService>> stubs;

  class users::v1::UsersService::Stub::async* async() const {
    return stubs->async();
  }
};

}  // namespace backoffice::bff::app
