#pragma once

#include <memory>

#include "bff/downstream/service_client.h"
#include "bff/downstream/stub_set.h"
#include "proto/audit/v1/audit.grpc.pb.h"

namespace backoffice::bff::app {

/// The audit service as route handlers call it: its client (channels, deadlines, metrics)
/// and a stub per connection, for the life of the process.
struct AuditApi {
  downstream::ServiceClient* client = nullptr;
  std::shared_ptr<const downstream::StubSet<audit::v1::AuditService>> stubs;

  class audit::v1::AuditService::Stub::async* async() const {
    return stubs->async();
  }
};

}  // namespace backoffice::bff::app
