#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "bff/app/users_cache.h"
#include "bff/downstream/service_client.h"
#include "bff/downstream/stub_set.h"
#include "bff/http/http_request.h"
#include "proto/users/v1/users.grpc.pb.h"

namespace backoffice::bff::app {

/// The users service as route handlers call it: its client (channels, deadlines, metrics)
/// and a stub per connection, for the life of the process.
struct UsersApi {
  downstream::ServiceClient* client = nullptr;
  std::shared_ptr<const downstream::StubSet<users::v1::UsersService>> stubs;
  /// Records and pages this BFF caches (users_cache.h); null: nothing cached.
  UsersCache* cache = nullptr;

  class users::v1::UsersService::Stub::async* async() const {
    return stubs->async();
  }

  /// After an unsafe request of the users route table (AddRouteTable calls it): drops the
  /// account the path names, with every cached page; a request that names none (create) adds an
  /// account, which only pages can show.
  void Changed(const http::HttpRequest& request) const {
    if (cache == nullptr) return;
    if (std::string_view id = request.PathParam("id"); !id.empty()) {
      cache->Changed(id);
    } else {
      cache->ChangedPages();
    }
  }
};

/// Account `id` as GET /api/users/{id} shows it: from the cache, else from GetUser (asked with
/// the request's credentials; the answer is cached unless a change arrived meanwhile). Errors
/// are the call's.
boost::asio::awaitable<absl::StatusOr<std::shared_ptr<const CachedUser>>> FindUser(
    UsersApi users, const http::HttpRequest& request, std::string_view id);

}  // namespace backoffice::bff::app
