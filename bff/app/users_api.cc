#include "bff/app/users_api.h"

#include <string>

namespace backoffice::bff::app {

boost::asio::awaitable<absl::StatusOr<std::shared_ptr<const CachedUser>>> FindUser(
    UsersApi users, const http::HttpRequest& request, std::string_view id) {
  if (users.cache != nullptr) {
    if (std::shared_ptr<const CachedUser> cached = users.cache->FindUser(id)) co_return cached;
  }
  uint64_t generation = users.cache != nullptr ? users.cache->users_generation() : 0;
  users::v1::GetUserRequest get;
  get.set_id(std::string(id));
  absl::StatusOr<users::v1::User> user = co_await users.client->Call(
      request, "GetUser", &users::v1::UsersService::Stub::async::GetUser, users.async(), get,
      {.idempotent = true});
  if (!user.ok()) co_return user.status();
  if (users.cache != nullptr) co_return users.cache->StoreUser(*user, generation);
  co_return RenderUser(*user);
}

}  // namespace backoffice::bff::app
