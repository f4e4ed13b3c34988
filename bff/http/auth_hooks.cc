#include "bff/http/auth_hooks.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "libs/authz/caller_permissions.h"

namespace backoffice::bff::http {

boost::asio::awaitable<absl::Status> ClaimAuthorizer::Authorize(const HttpRequest& request,
                                                                std::string_view permission) {
  if (!request.principal.has_value()) {
    co_return absl::UnauthenticatedError("sign in first");
  }
  if (authz::ClaimGrants(request.principal->permissions, permission)) {
    co_return absl::OkStatus();
  }
  co_return absl::PermissionDeniedError(
      absl::StrCat("this needs the permission ", std::string(permission)));
}

std::string SubjectUserKey::UserKey(const HttpRequest& request) const {
  return request.principal.has_value() ? request.principal->subject : "";
}

}  // namespace backoffice::bff::http
