#include "bff/app/routes.h"

#include "bff/app/audit_api.h"
#include "bff/app/audit_routes.h"
#include "bff/app/auth_routes.h"
#include "bff/app/me_routes.h"
#include "bff/app/roles_api.h"
#include "bff/app/roles_routes.h"
#include "bff/app/users_api.h"
#include "bff/app/users_routes.h"

namespace backoffice::bff::app {

absl::Status AddRoutes(http::Router& router, const Downstreams& downstreams,
                       RolesPermissions& permissions, UsersCache* users_cache,
                       const RouteOptions& options) {
  UsersApi users{
      .client = downstreams.users.get(),
      .stubs = std::make_shared<downstream::StubSet<users::v1::UsersService>>(*downstreams.users),
      .cache = users_cache};
  RolesApi roles{
      .client = downstreams.roles.get(),
      .stubs = std::make_shared<downstream::StubSet<roles::v1::RolesService>>(*downstreams.roles),
      .cached = &permissions.invalidation()};
  AuditApi audit{
      .client = downstreams.audit.get(),
      .stubs = std::make_shared<downstream::StubSet<audit::v1::AuditService>>(*downstreams.audit)};
  // Sign-ins write only sign-in bookkeeping (lastLoginTime): the watch brings that to the cache
  // within milliseconds, and dropping every cached record on each sign-in would empty it.
  UsersApi sign_in = users;
  sign_in.cache = nullptr;
  if (absl::Status added = AddAuthRoutes(router, sign_in); !added.ok()) {
    return added;
  }
  if (absl::Status added = AddUserRoutes(router, users); !added.ok()) {
    return added;
  }
  if (absl::Status added =
          AddUserBulkRoutes(router, users, options.max_import_bytes, options.max_export_bytes);
      !added.ok()) {
    return added;
  }
  if (absl::Status added = AddRoleRoutes(router, roles, users); !added.ok()) {
    return added;
  }
  if (absl::Status added = AddAuditRoutes(router, audit, options.max_export_bytes); !added.ok()) {
    return added;
  }
  return AddMeRoutes(router, users, permissions);
}

}  // namespace backoffice::bff::app
