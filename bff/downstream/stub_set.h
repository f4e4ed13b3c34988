// One generated stub per connection of a ServiceClient, for calls to take in turn.
//
//   downstream::StubSet<users::v1::UsersService> users_stubs(*downstreams.users);
//   co_await users.Call(request, "GetUser", &Stub::async::GetUser, users_stubs.async(), get);
#pragma once

#include <grpcpp/channel.h>

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
      entries_.push_back({channel, Service::NewStub(channel)});
    }
  }

  /// The callback-API stub of the next connected channel in turn; when none is connected, of the
  /// next one (its call then fails fast as UNAVAILABLE, or waits if it asks to). Skipping channels
  /// that are not READY matters after the service restarts: each channel reconnects on its own
  /// backoff, and a call must not fail on one still waiting while another is back.
  typename Stub::async* async() const {
    const size_t turn = next_.fetch_add(1, std::memory_order_relaxed);
    for (size_t i = 0; i < entries_.size(); ++i) {
      const Entry& entry = entries_[(turn + i) % entries_.size()];
      // An atomic read of the channel's state; it does not start a connection attempt.
      if (entry.channel->GetState(/*try_to_connect=*/false) == GRPC_CHANNEL_READY) {
        return entry.stub->async();
      }
    }
    return entries_[turn % entries_.size()].stub->async();
  }

  /// How many connections the calls spread over.
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<Stub> stub;
  };
  std::vector<Entry> entries_;
  mutable std::atomic<size_t> next_{0};
};

}  // namespace backoffice::bff::downstream
