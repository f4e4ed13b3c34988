// The gRPC handlers of RolesService (proto/roles/v1/roles.proto). Synchronous API: handlers
// block on PostgreSQL (docs/decisions/0003-sync-grpc-for-db-services.md). Each handler admits
// the call (CallGuard: a verified token), asks AccessControl whether the caller holds the
// permission docs/api/roles.md names for the call, checks the request's shape, calls the logic
// or a store, and converts the result with server::ToGrpcStatus, the one place where
// absl::Status becomes grpc::Status.
#pragma once

#include <grpcpp/server_context.h>

#include <functional>

#include "absl/status/status.h"
#include "libs/watch/change_feed.h"
#include "proto/roles/v1/roles.grpc.pb.h"
#include "services/roles/access_control.h"
#include "services/roles/call_guard.h"
#include "services/roles/store/grant_store.h"
#include "services/roles/store/permission_store.h"
#include "services/roles/store/role_store.h"

namespace backoffice::roles {

/// What the handlers work with; every reference must outlive the service.
struct RolesServiceDeps {
  PermissionStore& permissions;
  RoleStore& roles;
  GrantStore& grants;
  AccessControl& access;
  const CallGuard& guard;
  watch::ChangeFeed& feed;
};

/// RolesService over the stores and AccessControl. Thread-safe.
class RolesServiceImpl final : public v1::RolesService::Service {
 public:
  explicit RolesServiceImpl(RolesServiceDeps deps) : deps_(deps) {}

  grpc::Status ListPermissions(grpc::ServerContext* context,
                               const v1::ListPermissionsRequest* request,
                               v1::ListPermissionsResponse* response) override;
  grpc::Status RegisterPermissions(grpc::ServerContext* context,
                                   const v1::RegisterPermissionsRequest* request,
                                   v1::RegisterPermissionsResponse* response) override;
  grpc::Status CreateRole(grpc::ServerContext* context, const v1::CreateRoleRequest* request,
                          v1::Role* response) override;
  grpc::Status GetRole(grpc::ServerContext* context, const v1::GetRoleRequest* request,
                       v1::Role* response) override;
  grpc::Status ListRoles(grpc::ServerContext* context, const v1::ListRolesRequest* request,
                         v1::ListRolesResponse* response) override;
  grpc::Status UpdateRole(grpc::ServerContext* context, const v1::UpdateRoleRequest* request,
                          v1::Role* response) override;
  grpc::Status DeleteRole(grpc::ServerContext* context, const v1::DeleteRoleRequest* request,
                          google::protobuf::Empty* response) override;
  grpc::Status GrantRole(grpc::ServerContext* context, const v1::GrantRoleRequest* request,
                         v1::RoleGrant* response) override;
  grpc::Status RevokeRole(grpc::ServerContext* context, const v1::RevokeRoleRequest* request,
                          google::protobuf::Empty* response) override;
  grpc::Status ListUserRoles(grpc::ServerContext* context, const v1::ListUserRolesRequest* request,
                             v1::ListUserRolesResponse* response) override;
  grpc::Status GetEffectivePermissions(grpc::ServerContext* context,
                                       const v1::GetEffectivePermissionsRequest* request,
                                       v1::GetEffectivePermissionsResponse* response) override;
  grpc::Status CheckPermission(grpc::ServerContext* context,
                               const v1::CheckPermissionRequest* request,
                               v1::CheckPermissionResponse* response) override;
  grpc::Status BatchCheckPermissions(grpc::ServerContext* context,
                                     const v1::BatchCheckPermissionsRequest* request,
                                     v1::BatchCheckPermissionsResponse* response) override;
  grpc::Status ListRoleMembers(grpc::ServerContext* context,
                               const v1::ListRoleMembersRequest* request,
                               v1::ListRoleMembersResponse* response) override;
  /// Holds one handler thread per stream (the feed bounds how many); polls for cancellation
  /// every watch::kWatchPoll.
  grpc::Status WatchPermissionChanges(grpc::ServerContext* context,
                                      const v1::WatchPermissionChangesRequest* request,
                                      grpc::ServerWriter<v1::PermissionChange>* writer) override;

 private:
  // Admits the call, runs `body`, converts its status.
  grpc::Status Handle(grpc::ServerContext& context,
                      const std::function<absl::Status(const CallScope&)>& body);
  // One check of CheckPermission/BatchCheckPermissions; `prefix` names the request field.
  absl::Status CheckOne(const CallScope& call, const v1::CheckPermissionRequest& check,
                        std::string_view prefix, v1::CheckPermissionResponse* out);

  RolesServiceDeps deps_;
};

}  // namespace backoffice::roles
