#include "bff/app/users_api.h"

#include <string>
#include <utility>

namespace backoffice::bff::app {

namespace {

// GetUser, stored in the cache (when there is one) unless a change came after `generation`.
boost::asio::awaitable<absl::StatusOr<std::shared_ptr<const CachedUser>>> AskUser(
    UsersApi users, const http::HttpRequest& request, std::string id, uint64_t generation) {
  users::v1::GetUserRequest get;
  get.set_id(std::move(id));
  absl::StatusOr<users::v1::User> user = co_await users.client->Call(
      request, "GetUser", &users::v1::UsersService::Stub::async::GetUser, users.async(), get,
      {.idempotent = true});
  if (!user.ok()) co_return user.status();
  if (users.cache == nullptr) co_return RenderUser(*user);
  co_return users.cache->StoreUser(*user, generation);
}

}  // namespace

boost::asio::awaitable<absl::StatusOr<std::shared_ptr<const CachedUser>>> FindUser(
    UsersApi users, const http::HttpRequest& request, std::string_view id) {
  if (users.cache == nullptr) co_return co_await AskUser(users, request, std::string(id), 0);
  if (std::shared_ptr<const CachedUser> cached = users.cache->FindUser(id)) co_return cached;
  uint64_t generation = users.cache->users_generation();
  co_return co_await downstream::CoalescedLoad(
      users.cache->user_loads(), UsersCache::UserKey(id), generation,
      AskUser(users, request, std::string(id), generation));
}

}  // namespace backoffice::bff::app
