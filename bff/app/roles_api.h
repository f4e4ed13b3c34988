#pragma once

#include <memory>

#include "bff/downstream/service_client.h"
#include "proto/roles/v1/roles.grpc.pb.h"

namespace backoffice::bff::app {

/// The roles service as route handlers call it: its client (channel, deadlines, metrics) and one
/// stub for the life of the process.
struct RolesApi {
  downstream::ServiceClient* client = nullptr;
  std::shared_ptr<roles::v1::RolesService::Stub> stub;

  class roles::v1::RolesService::Stub::async* async() const {
    return stub->async();
  }
};

}  // namespace backoffice::bff::app
