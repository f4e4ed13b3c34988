#pragma once

#include <memory>

#include "bff/downstream/service_client.h"
#include "proto/audit/v1/audit.grpc.pb.h"

namespace backoffice::bff::app {

/// The audit service as route handlers call it: its client (channel, deadlines, metrics) and one
/// stub for the life of the process.
struct AuditApi {
  downstream::ServiceClient* client = nullptr;
  std::shared_ptr<audit::v1::AuditService::Stub> stub;

  class audit::v1::AuditService::Stub::async* async() const {
    return stub->async();
  }
};

}  // namespace backoffice::bff::app
