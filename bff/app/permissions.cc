#include "bff/app/permissions.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/errors/error_details.h"

namespace backoffice::bff::app {

namespace asio = boost::asio;
using Stub = roles::v1::RolesService::Stub;

RolesPermissions::RolesPermissions(RolesPermissionsOptions options)
    : roles_(*options.roles),
      stubs_(*options.roles),
      users_issuer_(std::move(options.users_issuer)),
      cache_(options.cache),
      held_roles_(options.cache) {}

bool RolesPermissions::Governs(const http::Principal& principal) const {
  return principal.issuer == users_issuer_;
}

asio::awaitable<absl::StatusOr<std::shared_ptr<const UserPermissions>>> RolesPermissions::Of(
    const http::HttpRequest& request) {
  if (!Governs(*request.principal)) {
    co_return absl::FailedPreconditionError("permissions come from the token's issuer");
  }
  const std::string& user = request.principal->subject;
  if (std::shared_ptr<const UserPermissions> hit = cache_.Find(user, absl::Now())) {
    co_return hit;
  }
  uint64_t generation = cache_.generation();
  roles::v1::GetEffectivePermissionsRequest ask;
  ask.set_user_id(user);
  absl::StatusOr<roles::v1::GetEffectivePermissionsResponse> answer = co_await roles_.Call(
      request, "GetEffectivePermissions", &Stub::async::GetEffectivePermissions, stubs_.async(),
      ask, {.idempotent = true});
  if (!answer.ok()) co_return answer.status();
  auto loaded = std::make_shared<const UserPermissions>(UserPermissions::FromProto(*answer));
  cache_.Insert(user, loaded, generation);
  co_return std::shared_ptr<const UserPermissions>(std::move(loaded));
}

asio::awaitable<absl::StatusOr<std::shared_ptr<const HeldRoles>>> RolesPermissions::RolesOf(
    const http::HttpRequest& request) {
  if (!Governs(*request.principal)) {
    co_return absl::FailedPreconditionError("roles come from the token's issuer");
  }
  const std::string& user = request.principal->subject;
  if (std::shared_ptr<const HeldRoles> hit = held_roles_.Find(user, absl::Now())) co_return hit;
  uint64_t generation = held_roles_.generation();
  roles::v1::ListUserRolesRequest ask;
  ask.set_user_id(user);
  absl::StatusOr<roles::v1::ListUserRolesResponse> answer =
      co_await roles_.Call(request, "ListUserRoles", &Stub::async::ListUserRoles, stubs_.async(),
                           ask, {.idempotent = true});
  if (!answer.ok()) co_return answer.status();
  auto loaded = std::make_shared<HeldRoles>();
  loaded->answer = *std::move(answer);
  for (const roles::v1::UserRole& held : loaded->answer.roles()) {
    if (!held.grant().has_expire_time()) continue;
    absl::Time expires = absl::FromUnixSeconds(held.grant().expire_time().seconds()) +
                         absl::Nanoseconds(held.grant().expire_time().nanos());
    loaded->valid_until = std::min(loaded->valid_until.value_or(expires), expires);
  }
  held_roles_.Insert(user, loaded, generation);
  co_return std::shared_ptr<const HeldRoles>(std::move(loaded));
}

asio::awaitable<absl::Status> RolesAuthorizer::Authorize(const http::HttpRequest& request,
                                                         std::string_view permission) {
  if (!permissions_.Governs(*request.principal)) {
    co_return co_await claims_.Authorize(request, permission);
  }
  absl::StatusOr<std::shared_ptr<const UserPermissions>> held = co_await permissions_.Of(request);
  if (!held.ok()) co_return held.status();
  if ((*held)->Has(permission)) co_return absl::OkStatus();
  co_return errors::WithErrorReason(absl::PermissionDeniedError(absl::StrCat(
                                        "this needs the permission ", std::string(permission))),
                                    "MISSING_PERMISSION");
}

}  // namespace backoffice::bff::app
