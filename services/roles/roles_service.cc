#include "services/roles/roles_service.h"

#include <openssl/sha.h>

#include <string>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/server/grpc_status.h"
#include "libs/server/request_context.h"
#include "libs/watch/serve_watch.h"
#include "services/roles/role_mapping.h"

namespace backoffice::roles {
namespace {

constexpr std::string_view kDomain = "roles";

absl::Status Required(std::string_view field) {
  return absl::InvalidArgumentError(absl::StrCat(Absl(field), ": required"));
}

absl::StatusOr<std::optional<int64_t>> ExpectedVersion(const std::string& etag,
                                                       std::string_view field) {
  if (etag.empty()) return std::optional<int64_t>();
  absl::StatusOr<int64_t> version = VersionFromEtag(etag, field);
  if (!version.ok()) return version.status();
  return std::optional<int64_t>(*version);
}

absl::Status CheckPage(const common::v1::PageRequest& page, bool offset_allowed) {
  if (!offset_allowed && page.offset() != 0) {
    return absl::InvalidArgumentError("page.offset: not supported by this call; use page_token");
  }
  return absl::OkStatus();
}

// A digest of an answer: equal versions mean equal answers.
std::string VersionOf(const EffectivePermissions& effective) {
  std::string text;
  for (const std::string& p : effective.permissions) absl::StrAppend(&text, p, ",");
  absl::StrAppend(&text, "|");
  for (const std::string& r : effective.role_ids) absl::StrAppend(&text, r, ",");
  if (effective.valid_until.has_value()) {
    absl::StrAppend(&text, "|", absl::ToUnixMicros(*effective.valid_until));
  }
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), 12));
}

}  // namespace

grpc::Status RolesServiceImpl::Handle(grpc::ServerContext& context,
                                      const std::function<absl::Status(const CallScope&)>& body) {
  std::string request_id = server::RequestIdOf(context);
  absl::StatusOr<CallScope> call = deps_.guard.Admit(context);
  if (!call.ok()) {
    return server::ToGrpcStatus(call.status(), kDomain, request_id);
  }
  return server::ToGrpcStatus(body(*call), kDomain, request_id);
}

grpc::Status RolesServiceImpl::ListPermissions(grpc::ServerContext* context,
                                               const v1::ListPermissionsRequest* request,
                                               v1::ListPermissionsResponse* response) {
  return Handle(*context, [&](const CallScope& call) -> absl::Status {
    if (absl::Status s = deps_.access.Require(call.caller, kPermRolesRead); !s.ok()) return s;
    if (absl::Status s = CheckPage(request->page(), false); !s.ok()) return s;
    absl::StatusOr<PermissionPage> page =
        deps_.permissions.List({.service = request->service(),
                                .query = request->query(),
                                .page_size = request->page().page_size(),
                                .page_token = request->page().page_token()});
    if (!page.ok()) return page.status();
    for (const Permission& permission : page->permissions) {
      PermissionToProto(permission, response->add_permissions());
    }
    response->mutable_page_info()->set_next_page_token(page->next_page_token);
    response->mutable_page_info()->set_total_size(page->total_size);
    return absl::OkStatus();
  });
}

grpc::Status RolesServiceImpl::RegisterPermissions(grpc::ServerContext* context,
                                                   const v1::RegisterPermissionsRequest* request,
                                                   v1::RegisterPermissionsResponse* response) {
  return Handle(*context, [&](const CallScope& call) -> absl::Status {
    if (call.caller.kind != auth::Caller::Kind::kService) {
      if (absl::Status s = deps_.access.Require(call.caller, kPermRolesWrite); !s.ok()) return s;
    } else if (call.actor.id != request->service()) {
      // A service account speaks for itself only: service:users registers users' permissions.
      return absl::PermissionDeniedError(
          absl::StrCat("service: a service account registers its own "
                       "permissions only (this token is for ",
                       call.actor.id, ")"));
    }
    std::vector<Permission> permissions;
    for (const v1::Permission& p : request->permissions()) {
      permissions.push_back({.name = p.name(), .description = p.description()});
    }
    absl::StatusOr<RegisterResult> result =
        deps_.permissions.Register(request->service(), permissions, call.actor);
    if (!result.ok()) return result.status();
    response->set_created_count(result->created);
    response->set_updated_count(result->updated);
    response->set_unchanged_count(result->unchanged);
    return absl::OkStatus();
  });
}

grpc::Status RolesServiceImpl::CreateRole(grpc::ServerContext* context,
                                          const v1::CreateRoleRequest* request,
                                          v1::Role* response) {
  return Handle(*context, [&](const CallScope& call) -> absl::Status {
    if (absl::Status s = deps_.access.Require(call.caller, kPermRolesWrite); !s.ok()) return s;
    if (!request->has_role()) return Required("role");
    absl::StatusOr<Role> role = deps_.access.CreateRole(
        call.caller, RoleFieldsFromProto(request->role()), call.actor, request->request_id());
    if (!role.ok()) return role.status();
    RoleToProto(*role, response);
    return absl::OkStatus();
  });
}

grpc::Status RolesServiceImpl::GetRole(grpc::ServerContext* context,
                                       const v1::GetRoleRequest* request, v1::Role* response) {
  return Handle(*context, [&](const CallScope& call) -> absl::Status {
    if (absl::Status s = deps_.access.Require(call.caller, kPermRolesRead); !s.ok()) return s;
    absl::StatusOr<Role> role;
    switch (request->key_case()) {
      case v1::GetRoleRequest::kId:
        role = deps_.roles.Get(request->id());
        break;
      case v1::GetRoleRequest::kName:
        role = deps_.roles.GetByName(request->name());
        break;
      default:
        return absl::InvalidArgumentError("key: set id or name");
    }
    if (!role.ok()) return role.status();
    RoleToProto(*role, response);
    return absl::OkStatus();
  });
}

grpc::Status RolesServiceImpl::ListRoles(grpc::ServerContext* context,
                                         const v1::ListRolesRequest* request,
                                         v1::ListRolesResponse* response) {
  return Handle(*context, [&](const CallScope& call) -> absl::Status {
    if (absl::Status s = deps_.access.Require(call.caller, kPermRolesRead); !s.ok()) return s;
    ListRolesRequest list{.query = request->query(),
                          .ids = {request->ids().begin(), request->ids().end()},
                          .permission = request->permission(),
                          .page_size = request->page().page_size(),
                          .page_token = request->page().page_token(),
                          .offset = request->page().offset()};
    switch (request->kind()) {
      case v1::ROLE_KIND_SYSTEM:
        list.kind = ListRolesRequest::Kind::kSystem;
        break;
      case v1::ROLE_KIND_CUSTOM:
        list.kind = ListRolesRequest::Kind::kCustom;
        break;
      default:
        break;
    }
    if (request->order_by_size() > 1) {
      return absl::InvalidArgumentError("order_by: at most 1 key");
    }
    if (request->order_by_size() == 1) {
      if (request->order_by(0).field() != "name") {
        return absl::InvalidArgumentError("order_by[0].field: must be name");
      }
      list.descending = request->order_by(0).direction() == common::v1::SORT_DIRECTION_DESC;
    }
    absl::StatusOr<RolePage> page = deps_.roles.List(list);
    if (!page.ok()) return page.status();
    for (const Role& role : page->roles) RoleToProto(role, response->add_roles());
    response->mutable_page_info()->set_next_page_token(page->next_page_token);
    response->mutable_page_info()->set_total_size(page->total_size);
    return absl::OkStatus();
  });
}

grpc::Status RolesServiceImpl::UpdateRole(grpc::ServerContext* context,
                                          const v1::UpdateRoleRequest* request,
                                          v1::Role* response) {
  return Handle(*context, [&](const CallScope& call) -> absl::Status {
    if (absl::Status s = deps_.access.Require(call.caller, kPermRolesWrite); !s.ok()) return s;
    if (!request->has_role()) return Required("role");
    absl::StatusOr<std::optional<int64_t>> version =
        ExpectedVersion(request->role().etag(), "role.etag");
    if (!version.ok()) return version.status();
    RoleUpdate update{.id = request->role().id(),
                      .fields = RoleFieldsFromProto(request->role()),
                      .update_mask = {request->update_mask().paths().begin(),
                                      request->update_mask().paths().end()},
                      .expected_version = *version};
    absl::StatusOr<Role> role = deps_.access.UpdateRole(call.caller, update, call.actor);
    if (!role.ok()) return role.status();
    RoleToProto(*role, response);
    return absl::OkStatus();
  });
}

grpc::Status RolesServiceImpl::DeleteRole(grpc::ServerContext* context,
                                          const v1::DeleteRoleRequest* request,
                                          google::protobuf::Empty*) {
  return Handle(*context, [&](const CallScope& call) -> absl::Status {
    if (absl::Status s = deps_.access.Require(call.caller, kPermRolesWrite); !s.ok()) return s;
    absl::StatusOr<std::optional<int64_t>> version = ExpectedVersion(request->etag(), "etag");
    if (!version.ok()) return version.status();
    return deps_.access.DeleteRole(request->id(), *version, request->force(), call.actor);
  });
}

grpc::Status RolesServiceImpl::GrantRole(grpc::ServerContext* context,
                                         const v1::GrantRoleRequest* request,
                                         v1::RoleGrant* response) {
  return Handle(*context, [&](const CallScope& call) -> absl::Status {
    if (absl::Status s = deps_.access.Require(call.caller, kPermRolesGrant); !s.ok()) return s;
    GrantRequest grant{
        .user_id = request->user_id(), .role_id = request->role_id(), .reason = request->reason()};
    if (request->has_expire_time()) grant.expire_time = TimeFromProto(request->expire_time());
    absl::StatusOr<GrantResult> result =
        deps_.access.GrantRole(call.caller, call.authorization, grant, call.actor);
    if (!result.ok()) return result.status();
    GrantToProto(result->grant, response);
    return absl::OkStatus();
  });
}

grpc::Status RolesServiceImpl::RevokeRole(grpc::ServerContext* context,
                                          const v1::RevokeRoleRequest* request,
                                          google::protobuf::Empty*) {
  return Handle(*context, [&](const CallScope& call) -> absl::Status {
    if (absl::Status s = deps_.access.Require(call.caller, kPermRolesGrant); !s.ok()) return s;
    return deps_.access.RevokeRole(request->user_id(), request->role_id(), request->reason(),
                                   call.actor, call.authorization);
  });
}

grpc::Status RolesServiceImpl::ListUserRoles(grpc::ServerContext* context,
                                             const v1::ListUserRolesRequest* request,
                                             v1::ListUserRolesResponse* response) {
  return Handle(*context, [&](const CallScope& call) -> absl::Status {
    if (absl::Status s =
            deps_.access.RequireSelfOr(call.caller, request->user_id(), kPermRolesRead);
        !s.ok()) {
      return s;
    }
    absl::StatusOr<std::vector<Grant>> grants =
        deps_.grants.ListUserGrants(request->user_id(), request->include_expired());
    if (!grants.ok()) return grants.status();
    if (grants->empty()) return absl::OkStatus();
    std::vector<std::string> ids;
    for (const Grant& grant : *grants) ids.push_back(grant.role_id);
    absl::StatusOr<RolePage> roles = deps_.roles.List({.ids = ids, .page_size = 500});
    if (!roles.ok()) return roles.status();
    for (const Grant& grant : *grants) {
      v1::UserRole* out = response->add_roles();
      GrantToProto(grant, out->mutable_grant());
      for (const Role& role : roles->roles) {
        if (role.id == grant.role_id) RoleToProto(role, out->mutable_role());
      }
    }
    return absl::OkStatus();
  });
}

grpc::Status RolesServiceImpl::GetEffectivePermissions(
    grpc::ServerContext* context, const v1::GetEffectivePermissionsRequest* request,
    v1::GetEffectivePermissionsResponse* response) {
  return Handle(*context, [&](const CallScope& call) -> absl::Status {
    if (absl::Status s =
            deps_.access.RequireSelfOr(call.caller, request->user_id(), kPermRolesRead);
        !s.ok()) {
      return s;
    }
    absl::StatusOr<PermissionCache::Entry> effective = deps_.access.Effective(request->user_id());
    if (!effective.ok()) return effective.status();
    for (const std::string& p : (*effective)->permissions) response->add_permissions(p);
    for (const std::string& r : (*effective)->role_ids) response->add_role_ids(r);
    response->set_version(VersionOf(**effective));
    if ((*effective)->valid_until.has_value()) {
      TimeToProto(*(*effective)->valid_until, response->mutable_valid_until());
    }
    return absl::OkStatus();
  });
}

absl::Status RolesServiceImpl::CheckOne(const CallScope& call,
                                        const v1::CheckPermissionRequest& check,
                                        std::string_view prefix, v1::CheckPermissionResponse* out) {
  std::string user = check.user_id();
  if (user.empty()) {
    if (call.caller.kind != auth::Caller::Kind::kUser) {
      return absl::InvalidArgumentError(absl::StrCat(
          Absl(prefix), "user_id: required for service accounts and external principals"));
    }
    user = call.caller.id;
  }
  if (absl::Status s = deps_.access.RequireSelfOr(call.caller, user, kPermRolesRead); !s.ok()) {
    return s;
  }
  absl::StatusOr<CheckResult> result =
      deps_.access.Check(user, check.permission(), absl::StrCat(Absl(prefix), "permission"));
  if (!result.ok()) {
    if (result.status().code() == absl::StatusCode::kInvalidArgument &&
        !absl::StartsWith(result.status().message(), Absl(prefix))) {
      return absl::InvalidArgumentError(absl::StrCat(Absl(prefix), result.status().message()));
    }
    return result.status();
  }
  out->set_allowed(result->allowed);
  if (result->allowed) {
    out->set_matched_entry(check.permission());
    out->set_matched_role_id(result->matched_role_id);
  }
  return absl::OkStatus();
}

grpc::Status RolesServiceImpl::CheckPermission(grpc::ServerContext* context,
                                               const v1::CheckPermissionRequest* request,
                                               v1::CheckPermissionResponse* response) {
  return Handle(*context, [&](const CallScope& call) -> absl::Status {
    return CheckOne(call, *request, "", response);
  });
}

grpc::Status RolesServiceImpl::BatchCheckPermissions(
    grpc::ServerContext* context, const v1::BatchCheckPermissionsRequest* request,
    v1::BatchCheckPermissionsResponse* response) {
  return Handle(*context, [&](const CallScope& call) -> absl::Status {
    if (request->checks_size() < 1 || request->checks_size() > 100) {
      return absl::InvalidArgumentError("checks: must hold 1 to 100 checks");
    }
    for (int i = 0; i < request->checks_size(); ++i) {
      if (absl::Status s = CheckOne(call, request->checks(i), absl::StrCat("checks[", i, "]."),
                                    response->add_results());
          !s.ok()) {
        return s;
      }
    }
    return absl::OkStatus();
  });
}

grpc::Status RolesServiceImpl::ListRoleMembers(grpc::ServerContext* context,
                                               const v1::ListRoleMembersRequest* request,
                                               v1::ListRoleMembersResponse* response) {
  return Handle(*context, [&](const CallScope& call) -> absl::Status {
    // Service accounts may read a role's members (the users service asks who holds admin before
    // it deletes or disables an account); this is the only read besides WatchPermissionChanges
    // they may call, and they may change nothing.
    if (call.caller.kind != auth::Caller::Kind::kService) {
      if (absl::Status s = deps_.access.Require(call.caller, kPermRolesRead); !s.ok()) return s;
    }
    ListMembersRequest list{.role_id = request->role_id(),
                            .include_inherited = request->include_inherited(),
                            .include_expired = request->include_expired(),
                            .page_size = request->page().page_size(),
                            .page_token = request->page().page_token(),
                            .offset = request->page().offset()};
    if (request->order_by_size() > 1) {
      return absl::InvalidArgumentError("order_by: at most 1 key");
    }
    if (request->order_by_size() == 1) {
      if (request->order_by(0).field() != "create_time") {
        return absl::InvalidArgumentError("order_by[0].field: must be create_time");
      }
      list.descending = request->order_by(0).direction() != common::v1::SORT_DIRECTION_ASC;
    }
    absl::StatusOr<MemberPage> page = deps_.grants.ListMembers(list);
    if (!page.ok()) return page.status();
    for (const Grant& grant : page->grants) GrantToProto(grant, response->add_grants());
    response->mutable_page_info()->set_next_page_token(page->next_page_token);
    response->mutable_page_info()->set_total_size(page->total_size);
    return absl::OkStatus();
  });
}

namespace {

static_assert(v1::PermissionChange::KIND_LIVE == 1 && v1::PermissionChange::KIND_USER == 2 &&
                  v1::PermissionChange::KIND_ALL == 3 && v1::PermissionChange::KIND_PAUSED == 4,
              "numbered as watch::KindNumber");

}  // namespace

grpc::Status RolesServiceImpl::WatchPermissionChanges(
    grpc::ServerContext* context, const v1::WatchPermissionChangesRequest* /*request*/,
    grpc::ServerWriter<v1::PermissionChange>* writer) {
  std::string request_id = server::RequestIdOf(*context);
  absl::StatusOr<CallScope> call = deps_.guard.Admit(*context);
  if (!call.ok()) return server::ToGrpcStatus(call.status(), kDomain, request_id);
  if (call->caller.kind != auth::Caller::Kind::kService) {
    if (absl::Status s = deps_.access.Require(call->caller, kPermRolesRead); !s.ok()) {
      return server::ToGrpcStatus(s, kDomain, request_id);
    }
  }
  absl::Status ended = watch::ServeWatchStream(deps_.feed, *context, *writer);
  return server::ToGrpcStatus(ended, kDomain, request_id);
}

}  // namespace backoffice::roles
