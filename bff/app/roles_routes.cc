#include "bff/app/roles_routes.h"

#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "bff/app/role_json.h"
#include "bff/app/route_support.h"
#include "bff/http/json_body.h"
#include "bff/http/list_query.h"
#include "bff/http/problem.h"

namespace backoffice::bff::app {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using http::HttpRequest;
using http::HttpResponse;
using RolesStub = roles::v1::RolesService::Stub;
using UsersStub = users::v1::UsersService::Stub;

// What the handlers call: the roles service, and the users service for the members' details.
struct Apis {
  RolesApi roles;
  UsersApi users;
};

// After a change made through this BFF: one user's cached grants and permissions, or everyone's.
void ForgetUser(const RolesApi& roles, std::string_view user_id) {
  if (roles.cached == nullptr) return;
  roles.cached->Invalidate(absl::AsciiStrToLower({user_id.data(), user_id.size()}));
}
void ForgetEveryone(const RolesApi& roles) {
  if (roles.cached != nullptr) roles.cached->InvalidateAll();
}

HttpResponse RoleResponse(int status, const roles::v1::Role& role) {
  return RecordResponse(status, RoleToJson(role), role.etag());
}

asio::awaitable<HttpResponse> ListPermissions(Apis apis, HttpRequest& request) {
  absl::StatusOr<http::ListQuery> query =
      http::ParseListQuery(request.query, request.headers.Get("range"), PermissionsListSpec());
  if (!query.ok()) {
    co_return http::ProblemResponse(request, query.status());
  }
  roles::v1::ListPermissionsRequest list;
  if (absl::Status applied = ApplyPermissionsQuery(*query, list); !applied.ok()) {
    co_return http::ProblemResponse(request, applied);
  }
  absl::StatusOr<roles::v1::ListPermissionsResponse> page = co_await apis.roles.client->Call(
      request, "ListPermissions", &RolesStub::async::ListPermissions, apis.roles.async(), list,
      {.idempotent = true});
  if (!page.ok()) {
    co_return http::ProblemResponse(request, page.status());
  }
  // An offset was served from a page of offset + limit entries: skip the first ones.
  json::array rows;
  int skip = query->cursor.has_value() ? 0 : static_cast<int>(query->offset);
  for (int i = skip; i < page->permissions_size(); ++i) {
    rows.push_back(PermissionToJson(page->permissions(i)));
  }
  co_return ListResponse(*query, std::move(rows), page->page_info());
}

asio::awaitable<HttpResponse> ListRoles(Apis apis, HttpRequest& request) {
  absl::StatusOr<http::ListQuery> query =
      http::ParseListQuery(request.query, request.headers.Get("range"), RolesListSpec());
  if (!query.ok()) {
    co_return http::ProblemResponse(request, query.status());
  }
  roles::v1::ListRolesRequest list;
  if (absl::Status applied = ApplyRolesQuery(*query, list); !applied.ok()) {
    co_return http::ProblemResponse(request, applied);
  }
  absl::StatusOr<roles::v1::ListRolesResponse> page =
      co_await apis.roles.client->Call(request, "ListRoles", &RolesStub::async::ListRoles,
                                       apis.roles.async(), list, {.idempotent = true});
  if (!page.ok()) {
    co_return http::ProblemResponse(request, page.status());
  }
  json::array rows;
  for (const roles::v1::Role& role : page->roles()) {
    rows.push_back(RoleToJson(role));
  }
  co_return ListResponse(*query, std::move(rows), page->page_info());
}

asio::awaitable<HttpResponse> GetRole(Apis apis, HttpRequest& request) {
  roles::v1::GetRoleRequest get;
  get.set_id(std::string(request.PathParam("id")));
  absl::StatusOr<roles::v1::Role> role =
      co_await apis.roles.client->Call(request, "GetRole", &RolesStub::async::GetRole,
                                       apis.roles.async(), get, {.idempotent = true});
  if (!role.ok()) {
    co_return http::ProblemResponse(request, role.status());
  }
  co_return RoleResponse(200, *role);
}

asio::awaitable<HttpResponse> CreateRole(Apis apis, HttpRequest& request) {
  absl::StatusOr<json::object> body = http::ReadJsonObject(request, RoleCreateSchema());
  if (!body.ok()) {
    co_return http::ProblemResponse(request, body.status());
  }
  std::string_view key = request.headers.Get("idempotency-key");
  if (key.size() > 128) {
    co_return http::ProblemResponse(
        request, http::ValidationProblem("Idempotency-Key", "must be at most 128 bytes"));
  }
  roles::v1::CreateRoleRequest create;
  FillRole(*body, *create.mutable_role());
  create.set_request_id(std::string(key));
  // With a key the call is safe to retry: the service answers a repeat with the first result.
  absl::StatusOr<roles::v1::Role> role =
      co_await apis.roles.client->Call(request, "CreateRole", &RolesStub::async::CreateRole,
                                       apis.roles.async(), create, {.idempotent = !key.empty()});
  if (!role.ok()) {
    co_return http::ProblemResponse(request, role.status());
  }
  HttpResponse response = RoleResponse(201, *role);
  response.headers.Set("Location", absl::StrCat("/api/roles/", role->id()));
  co_return response;
}

asio::awaitable<HttpResponse> UpdateRole(Apis apis, HttpRequest& request) {
  absl::StatusOr<json::object> body = http::ReadJsonObject(request, RoleUpdateSchema());
  if (!body.ok()) {
    co_return http::ProblemResponse(request, body.status());
  }
  std::string id(request.PathParam("id"));
  if (std::optional<http::Problem> problem = BodyIdProblem(*body, id)) {
    co_return http::ProblemResponse(request, *problem);
  }
  roles::v1::UpdateRoleRequest update;
  std::vector<std::string> paths = FillRole(*body, *update.mutable_role());
  update.mutable_role()->set_id(id);
  if (std::optional<http::Problem> problem = FillUpdateMask(paths, *update.mutable_update_mask())) {
    co_return http::ProblemResponse(request, *problem);
  }
  WriteCondition condition = WriteConditionOf(request, *body);
  update.mutable_role()->set_etag(condition.etag);
  absl::StatusOr<roles::v1::Role> role = co_await apis.roles.client->Call(
      request, "UpdateRole", &RolesStub::async::UpdateRole, apis.roles.async(), update);
  if (!role.ok()) {
    co_return WriteProblem(request, role.status(), condition.if_match);
  }
  ForgetEveryone(apis.roles);
  co_return RoleResponse(200, *role);
}

// DeleteRole answers nothing, so the record is read first and answered once the delete succeeded.
asio::awaitable<HttpResponse> DeleteRole(Apis apis, HttpRequest& request) {
  absl::StatusOr<std::map<std::string, std::string>> options =
      ReadQueryOptions(request.query, {"force"});
  if (!options.ok()) {
    co_return http::ProblemResponse(request, options.status());
  }
  absl::StatusOr<bool> force = BoolOption(*options, "force", false);
  if (!force.ok()) {
    co_return http::ProblemResponse(request, force.status());
  }
  roles::v1::GetRoleRequest get;
  get.set_id(std::string(request.PathParam("id")));
  absl::StatusOr<roles::v1::Role> role =
      co_await apis.roles.client->Call(request, "GetRole", &RolesStub::async::GetRole,
                                       apis.roles.async(), get, {.idempotent = true});
  if (!role.ok()) {
    co_return http::ProblemResponse(request, role.status());
  }
  roles::v1::DeleteRoleRequest remove;
  remove.set_id(role->id());
  remove.set_etag(IfMatch(request));
  remove.set_force(*force);
  absl::StatusOr<google::protobuf::Empty> done = co_await apis.roles.client->Call(
      request, "DeleteRole", &RolesStub::async::DeleteRole, apis.roles.async(), remove);
  if (!done.ok()) {
    co_return WriteProblem(request, done.status(), !remove.etag().empty());
  }
  ForgetEveryone(apis.roles);
  co_return RoleResponse(200, *role);
}

// The users of a page of grants by lower-case id, from one BatchGetUsers; empty when it failed.
asio::awaitable<std::map<std::string, users::v1::User>> MembersUsers(
    UsersApi users, const HttpRequest& request, const roles::v1::ListRoleMembersResponse& page) {
  users::v1::BatchGetUsersRequest batch;
  std::set<std::string> asked;
  for (const roles::v1::RoleGrant& grant : page.grants()) {
    if (asked.insert(absl::AsciiStrToLower(grant.user_id())).second) {
      batch.add_ids(grant.user_id());
    }
  }
  std::map<std::string, users::v1::User> found;
  if (batch.ids_size() == 0) {
    co_return found;
  }
  absl::StatusOr<users::v1::BatchGetUsersResponse> people =
      co_await users.client->Call(request, "BatchGetUsers", &UsersStub::async::BatchGetUsers,
                                  users.async(), batch, {.idempotent = true});
  if (people.ok()) {
    for (const users::v1::User& user : people->users()) {
      found[absl::AsciiStrToLower(user.id())] = user;
    }
  }
  co_return found;
}

// A page of grants, each joined with its user's email and display name by one BatchGetUsers.
// A failed join leaves those members null: the grants are the answer, the details a courtesy.
asio::awaitable<HttpResponse> ListMembers(Apis apis, HttpRequest& request) {
  absl::StatusOr<http::ListQuery> query =
      http::ParseListQuery(request.query, request.headers.Get("range"), MembersListSpec());
  if (!query.ok()) {
    co_return http::ProblemResponse(request, query.status());
  }
  roles::v1::ListRoleMembersRequest list;
  list.set_role_id(std::string(request.PathParam("id")));
  if (absl::Status applied = ApplyMembersQuery(*query, list); !applied.ok()) {
    co_return http::ProblemResponse(request, applied);
  }
  absl::StatusOr<roles::v1::ListRoleMembersResponse> page = co_await apis.roles.client->Call(
      request, "ListRoleMembers", &RolesStub::async::ListRoleMembers, apis.roles.async(), list,
      {.idempotent = true});
  if (!page.ok()) {
    co_return http::ProblemResponse(request, page.status());
  }
  std::map<std::string, users::v1::User> found = co_await MembersUsers(apis.users, request, *page);
  json::array rows;
  for (const roles::v1::RoleGrant& grant : page->grants()) {
    auto user = found.find(absl::AsciiStrToLower(grant.user_id()));
    rows.push_back(MemberToJson(grant, user == found.end() ? nullptr : &user->second));
  }
  co_return ListResponse(*query, std::move(rows), page->page_info());
}

asio::awaitable<HttpResponse> ListUserRoles(Apis apis, HttpRequest& request) {
  absl::StatusOr<http::ListQuery> query =
      http::ParseListQuery(request.query, request.headers.Get("range"), UserRolesListSpec());
  if (!query.ok()) {
    co_return http::ProblemResponse(request, query.status());
  }
  absl::StatusOr<UserRolesFilter> filter = UserRolesFilterOf(*query, request.PathParam("id"));
  if (!filter.ok()) {
    co_return http::ProblemResponse(request, filter.status());
  }
  roles::v1::ListUserRolesRequest list;
  list.set_user_id(std::string(request.PathParam("id")));
  list.set_include_expired(filter->include_expired);
  absl::StatusOr<roles::v1::ListUserRolesResponse> held =
      co_await apis.roles.client->Call(request, "ListUserRoles", &RolesStub::async::ListUserRoles,
                                       apis.roles.async(), list, {.idempotent = true});
  if (!held.ok()) {
    co_return http::ProblemResponse(request, held.status());
  }
  if (filter->matches_none) held->clear_roles();  // asked as the user, then nothing shown
  const size_t total = static_cast<size_t>(held->roles_size());
  absl::StatusOr<json::array> rows =
      UserRolesPage(*query, {held->roles().begin(), held->roles().end()});
  if (!rows.ok()) {
    co_return http::ProblemResponse(request, rows.status());
  }
  const size_t count = rows->size();
  HttpResponse response = http::JsonResponse(200, *std::move(rows));
  http::SetListHeaders(response, *query, count, total);
  co_return response;
}

asio::awaitable<HttpResponse> GrantRole(Apis apis, HttpRequest& request) {
  absl::StatusOr<json::object> body = http::ReadJsonObject(request, GrantSchema());
  if (!body.ok()) {
    co_return http::ProblemResponse(request, body.status());
  }
  roles::v1::GrantRoleRequest grant;
  if (absl::Status filled = FillGrant(*body, std::string(request.PathParam("id")), grant);
      !filled.ok()) {
    co_return http::ProblemResponse(request, filled);
  }
  absl::StatusOr<roles::v1::RoleGrant> granted = co_await apis.roles.client->Call(
      request, "GrantRole", &RolesStub::async::GrantRole, apis.roles.async(), grant);
  if (!granted.ok()) {
    co_return http::ProblemResponse(request, granted.status());
  }
  ForgetUser(apis.roles, granted->user_id());
  co_return http::JsonResponse(201, GrantToJson(*granted));
}

// Answers the revoked grant (react-admin's delete wants the deleted record), read first with
// ListUserRoles. The path's last segment may be the role id or the grant id (the `id` of the
// records GET /api/users/{id}/roles lists, which react-admin puts in the URL). A caller who may
// revoke (`roles:grant`) but not read others' roles (`roles:read`) gets the record's ids only.
asio::awaitable<HttpResponse> RevokeRole(Apis apis, HttpRequest& request) {
  absl::StatusOr<std::map<std::string, std::string>> options =
      ReadQueryOptions(request.query, {"reason"});
  if (!options.ok()) {
    co_return http::ProblemResponse(request, options.status());
  }
  std::string user_id(request.PathParam("id"));
  std::string target(request.PathParam("roleId"));
  roles::v1::ListUserRolesRequest list;
  list.set_user_id(user_id);
  list.set_include_expired(true);
  absl::StatusOr<roles::v1::ListUserRolesResponse> held =
      co_await apis.roles.client->Call(request, "ListUserRoles", &RolesStub::async::ListUserRoles,
                                       apis.roles.async(), list, {.idempotent = true});
  json::object record;
  roles::v1::RevokeRoleRequest revoke;
  revoke.set_user_id(user_id);
  revoke.set_role_id(target);
  if (held.ok()) {
    const roles::v1::UserRole* match = nullptr;
    for (const roles::v1::UserRole& role : held->roles()) {
      if (absl::EqualsIgnoreCase(role.grant().role_id(), target) ||
          absl::EqualsIgnoreCase(role.grant().id(), target)) {
        match = &role;
        break;
      }
    }
    if (match == nullptr) {
      co_return http::ProblemResponse(
          request,
          http::MakeProblem(404, absl::StrCat("user ", user_id.substr(0, 64),
                                              " does not hold role ", target.substr(0, 64))));
    }
    record = UserRoleToJson(*match);
    revoke.set_role_id(match->grant().role_id());
  } else if (held.status().code() == absl::StatusCode::kPermissionDenied) {
    record = json::object{{"id", target}, {"userId", user_id}, {"roleId", target}};
  } else {
    co_return http::ProblemResponse(request, held.status());
  }
  if (auto reason = options->find("reason"); reason != options->end()) {
    revoke.set_reason(reason->second);
  }
  absl::StatusOr<google::protobuf::Empty> done = co_await apis.roles.client->Call(
      request, "RevokeRole", &RolesStub::async::RevokeRole, apis.roles.async(), revoke);
  if (!done.ok()) {
    co_return http::ProblemResponse(request, done.status());
  }
  ForgetUser(apis.roles, user_id);
  co_return http::JsonResponse(200, record);
}

}  // namespace

absl::Status AddRoleRoutes(http::Router& router, const RolesApi& roles, const UsersApi& users) {
  static const RouteEntry<Apis> kRoutes[] = {
      {"GET", "/api/permissions", "roles:read", &ListPermissions},
      {"GET", "/api/roles", "roles:read", &ListRoles},
      {"POST", "/api/roles", "roles:write", &CreateRole},
      {"GET", "/api/roles/{id}", "roles:read", &GetRole},
      {"PUT", "/api/roles/{id}", "roles:write", &UpdateRole},
      {"PATCH", "/api/roles/{id}", "roles:write", &UpdateRole},
      {"DELETE", "/api/roles/{id}", "roles:write", &DeleteRole},
      {"GET", "/api/roles/{id}/members", "roles:read", &ListMembers},
      {"GET", "/api/users/{id}/roles", "roles:read", &ListUserRoles},
      {"POST", "/api/users/{id}/roles", "roles:grant", &GrantRole},
      {"DELETE", "/api/users/{id}/roles/{roleId}", "roles:grant", &RevokeRole},
  };
  Apis apis{.roles = roles, .users = users};
  return AddRouteTable(router, apis, kRoutes);
}

}  // namespace backoffice::bff::app
