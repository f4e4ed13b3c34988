#pragma once

#include <memory>

#include "bff/downstream/service_client.h"
#include "bff/downstream/stub_set.h"
#include "libs/authz/invalidating_cache.h"
#include "proto/roles/v1/roles.grpc.pb.h"

namespace backoffice::bff::app {

/// The roles service as route handlers call it: its client (channels, deadlines, metrics)
/// and a stub per connection, for the life of the process.
struct RolesApi {
  downstream::ServiceClient* client = nullptr;
  std::shared_ptr<const downstream::StubSet<roles::v1::RolesService>> stubs;
  /// What this BFF caches about users' grants (RolesPermissions), dropped right after a change
  /// made through it: its next request sees the change without waiting for the watch (which
  /// tells the other replicas). Null: nothing cached.
  authz::CacheInvalidation* cached = nullptr;

  class roles::v1::RolesService::Stub::async* async() const {
    return stubs->async();
  }
};

}  // namespace backoffice::bff::app
