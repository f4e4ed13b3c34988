// One generated stub per connection of a ServiceClient, for calls to take in turn.
//
//   downstream::StubSet<users::v1::UsersService> users_stubs(*downstreams.users);
//   co_await users.Call(request, "GetUser", &Stub::async::GetUser, users_stubs.async(), get);
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <vector>

#include "bff/downstream/service_client.h"

namespace backoffice::bff::downstream {

/// `Service` is a generated gRPC service class (users::v1::UsersService). Thread-safe.
template <typename Service>
class StubSet {
 public:
  using Stub = typename Service::Stub;

  explicit StubSet(const ServiceClient& client) {
    for (const std::shared_ptr<grpc::Channel>& channel : client.channels()) {
      stubs_.push_back(Service::NewStub(channel));
    }
  }

  /// The callback-API stub of the next connection in turn.
  typename Stub::async* async() const {
    size_t turn = next_.fetch_add(1, std::memory_order_relaxed);
    return stubs_[turn % stubs_.size()]->async();
  }

  /// How many connections the calls spread over.
  size_t size() const { return stubs_.size(); }

 private:
  std::vector<std::unique_ptr<Stub>> stubs_;
  mutable std::atomic<size_t> next_{0};
};

}  // namespace backoffice::bff::downstream
