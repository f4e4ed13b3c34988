#include "bff/app/users_api.h"

#include <optional>
#include <string>
#include <utility>

namespace backoffice::bff::app {

boost::asio::awaitable<absl::StatusOr<std::shared_ptr<const CachedUser>>> FindUser(
    UsersApi users, const http::HttpRequest& request, std::string_view id) {
  using Loads = downstream::Coalescer<std::shared_ptr<const CachedUser>>;
  std::optional<Loads::Lead> lead;
  uint64_t generation = 0;
  if (users.cache != nullptr) {
    if (std::shared_ptr<const CachedUser> cached = users.cache->FindUser(id)) co_return cached;
    generation = users.cache->users_generation();
    std::string key = UsersCache::UserKey(id);
    Loads::Joined joined = users.cache->user_loads().Join(key, generation);
    if (joined.leads) {
      lead.emplace(users.cache->user_loads(), std::move(key), std::move(joined));
    } else if (std::optional<std::shared_ptr<const CachedUser>> shared =
                   co_await Loads::Wait(joined.flight)) {
      co_return *shared;
    }  // else the leader failed: ask on our own (its error may not be ours)
  }
  users::v1::GetUserRequest get;
  get.set_id(std::string(id));
  absl::StatusOr<users::v1::User> user = co_await users.client->Call(
      request, "GetUser", &users::v1::UsersService::Stub::async::GetUser, users.async(), get,
      {.idempotent = true});
  if (!user.ok()) co_return user.status();
  if (users.cache == nullptr) co_return RenderUser(*user);
  std::shared_ptr<const CachedUser> stored = users.cache->StoreUser(*user, generation);
  if (lead.has_value()) lead->Share(stored);
  co_return stored;
}

}  // namespace backoffice::bff::app
