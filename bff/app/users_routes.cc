#include "bff/app/users_routes.h"

#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "absl/strings/str_cat.h"
#include "bff/app/route_support.h"
#include "bff/app/user_json.h"
#include "bff/http/json_body.h"
#include "bff/http/list_query.h"
#include "bff/http/problem.h"

namespace backoffice::bff::app {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using http::FieldSpec;
using http::HttpRequest;
using http::HttpResponse;
using http::JsonType;
using Stub = users::v1::UsersService::Stub;

// Fields a client may write, with their proto field-mask paths.
struct Writable {
  const char* json_name;
  const char* mask_path;
  JsonType type;
};
constexpr Writable kWritable[] = {
    {"email", "email", JsonType::kString},
    {"displayName", "display_name", JsonType::kString},
    {"emailVerified", "email_verified", JsonType::kBool},
    {"phoneNumber", "phone_number", JsonType::kString},
    {"locale", "locale", JsonType::kString},
    {"timeZone", "time_zone", JsonType::kString},
    {"attributes", "attributes", JsonType::kObject},
};

// Output-only fields: accepted and ignored, because react-admin sends the whole record back.
constexpr const char* kReadOnly[] = {"id",
                                     "status",
                                     "passwordSet",
                                     "passwordChangeRequired",
                                     "totpEnabled",
                                     "recoveryCodesRemaining",
                                     "disabledReason",
                                     "createTime",
                                     "updateTime",
                                     "deleteTime",
                                     "purgeTime",
                                     "lastLoginTime",
                                     "passwordChangeTime"};

std::vector<FieldSpec> UpdateSchema() {
  std::vector<FieldSpec> schema;
  for (const Writable& field : kWritable) {
    schema.push_back({field.json_name, field.type, false, true});
  }
  for (const char* name : kReadOnly) {
    schema.push_back({name, JsonType::kAny, false, true});
  }
  schema.push_back({"etag", JsonType::kString, false, true});
  schema.push_back({"version", JsonType::kString, false, true});
  return schema;
}

std::vector<FieldSpec> CreateSchema() {
  std::vector<FieldSpec> schema = UpdateSchema();
  schema[0].required = true;  // email
  schema[0].nullable = false;
  schema.push_back({"password", JsonType::kString, false, false});
  schema.push_back({"requirePasswordChange", JsonType::kBool, false, false});
  return schema;
}

// Copies the writable members present in `body` into `user`; null clears. Returns the mask
// paths of the members present.
std::vector<std::string> FillUser(const json::object& body, users::v1::User& user) {
  std::vector<std::string> paths;
  for (const Writable& field : kWritable) {
    const json::value* value = body.if_contains(field.json_name);
    if (value == nullptr) {
      continue;
    }
    paths.emplace_back(field.mask_path);
    std::string_view name = field.json_name;
    std::string text = value->is_string() ? std::string(value->get_string()) : "";
    if (name == "email") {
      user.set_email(text);
    } else if (name == "displayName") {
      user.set_display_name(text);
    } else if (name == "emailVerified") {
      user.set_email_verified(value->is_bool() && value->get_bool());
    } else if (name == "phoneNumber") {
      user.set_phone_number(text);
    } else if (name == "locale") {
      user.set_locale(text);
    } else if (name == "timeZone") {
      user.set_time_zone(text);
    } else if (name == "attributes") {
      user.mutable_attributes()->Clear();
      if (value->is_object()) {
        JsonToStruct(value->get_object(), *user.mutable_attributes());
      }
    }
  }
  return paths;
}

HttpResponse UserResponse(int status, const users::v1::User& user) {
  return RecordResponse(status, UserToJson(user), user.etag());
}

// ListUsers, rendered, and stored under `key` in the cache (when there is one) unless a change
// came after `generation`.
asio::awaitable<absl::StatusOr<std::shared_ptr<const CachedUsersPage>>> AskPage(
    UsersApi users, const HttpRequest& request, users::v1::ListUsersRequest list, std::string key,
    uint64_t generation) {
  absl::StatusOr<users::v1::ListUsersResponse> page = co_await users.client->Call(
      request, "ListUsers", &Stub::async::ListUsers, users.async(), list, {.idempotent = true});
  if (!page.ok()) co_return page.status();
  if (users.cache == nullptr) co_return RenderUsersPage(*page);
  co_return users.cache->StorePage(std::move(key), *page, generation);
}

// The answer to `list`: from the cache, from another request's call in flight, or asked.
asio::awaitable<absl::StatusOr<std::shared_ptr<const CachedUsersPage>>> FindPage(
    UsersApi users, const HttpRequest& request, users::v1::ListUsersRequest list) {
  if (users.cache == nullptr) co_return co_await AskPage(users, request, std::move(list), "", 0);
  std::string key;
  if (auto cached = users.cache->FindPage(list, key)) co_return cached;
  uint64_t generation = users.cache->pages_generation();
  co_return co_await downstream::CoalescedLoad(
      users.cache->page_loads(), key, generation,
      AskPage(users, request, std::move(list), key, generation));
}

asio::awaitable<HttpResponse> ListUsers(UsersApi users, HttpRequest& request) {
  absl::StatusOr<http::ListQuery> query =
      http::ParseListQuery(request.query, request.headers.Get("range"), UsersListSpec());
  if (!query.ok()) {
    co_return http::ProblemResponse(request, query.status());
  }
  users::v1::ListUsersRequest list;
  if (absl::Status applied = ApplyUsersFilters(*query, list); !applied.ok()) {
    co_return http::ProblemResponse(request, applied);
  }
  ApplyUsersPage(*query, list);
  absl::StatusOr<std::shared_ptr<const CachedUsersPage>> page =
      co_await FindPage(users, request, std::move(list));
  if (!page.ok()) co_return http::ProblemResponse(request, page.status());
  co_return ListResponse(*query, (*page)->body, (*page)->count, (*page)->page_info);
}

asio::awaitable<HttpResponse> GetUser(UsersApi users, HttpRequest& request) {
  absl::StatusOr<std::shared_ptr<const CachedUser>> user =
      co_await FindUser(users, request, request.PathParam("id"));
  if (!user.ok()) {
    co_return http::ProblemResponse(request, user.status());
  }
  co_return RecordResponse(200, (*user)->body, (*user)->etag);
}

asio::awaitable<HttpResponse> CreateUser(UsersApi users, HttpRequest& request) {
  static const std::vector<FieldSpec> kSchema = CreateSchema();
  absl::StatusOr<json::object> body = http::ReadJsonObject(request, kSchema);
  if (!body.ok()) {
    co_return http::ProblemResponse(request, body.status());
  }
  std::string_view key = request.headers.Get("idempotency-key");
  if (key.size() > 128) {
    co_return http::ProblemResponse(
        request, http::ValidationProblem("Idempotency-Key", "must be at most 128 bytes"));
  }
  users::v1::CreateUserRequest create;
  FillUser(*body, *create.mutable_user());
  if (const json::value* password = body->if_contains("password"); password != nullptr) {
    create.set_password(std::string(password->get_string()));
  }
  if (const json::value* change = body->if_contains("requirePasswordChange"); change != nullptr) {
    create.set_require_password_change(change->get_bool());
  }
  create.set_request_id(std::string(key));
  // With a key the call is safe to retry: the service answers a repeat with the first result.
  absl::StatusOr<users::v1::User> user =
      co_await users.client->Call(request, "CreateUser", &Stub::async::CreateUser, users.async(),
                                  create, {.idempotent = !key.empty()});
  if (!user.ok()) {
    co_return http::ProblemResponse(request, user.status());
  }
  HttpResponse response = UserResponse(201, *user);
  response.headers.Set("Location", absl::StrCat("/api/users/", user->id()));
  co_return response;
}

asio::awaitable<HttpResponse> UpdateUser(UsersApi users, HttpRequest& request) {
  static const std::vector<FieldSpec> kSchema = UpdateSchema();
  absl::StatusOr<json::object> body = http::ReadJsonObject(request, kSchema);
  if (!body.ok()) {
    co_return http::ProblemResponse(request, body.status());
  }
  std::string id(request.PathParam("id"));
  if (std::optional<http::Problem> problem = BodyIdProblem(*body, id)) {
    co_return http::ProblemResponse(request, *problem);
  }
  users::v1::UpdateUserRequest update;
  std::vector<std::string> paths = FillUser(*body, *update.mutable_user());
  update.mutable_user()->set_id(id);
  if (std::optional<http::Problem> problem = FillUpdateMask(paths, *update.mutable_update_mask())) {
    co_return http::ProblemResponse(request, *problem);
  }
  WriteCondition condition = WriteConditionOf(request, *body);
  update.mutable_user()->set_etag(condition.etag);
  absl::StatusOr<users::v1::User> user = co_await users.client->Call(
      request, "UpdateUser", &Stub::async::UpdateUser, users.async(), update);
  if (!user.ok()) {
    co_return WriteProblem(request, user.status(), condition.if_match);
  }
  co_return UserResponse(200, *user);
}

asio::awaitable<HttpResponse> DeleteUser(UsersApi users, HttpRequest& request) {
  users::v1::DeleteUserRequest remove;
  remove.set_id(std::string(request.PathParam("id")));
  remove.set_etag(IfMatch(request));
  absl::StatusOr<users::v1::User> user = co_await users.client->Call(
      request, "DeleteUser", &Stub::async::DeleteUser, users.async(), remove);
  if (!user.ok()) {
    co_return WriteProblem(request, user.status(), !remove.etag().empty());
  }
  co_return UserResponse(200, *user);
}

// POST /api/users/{id}/disable, optional body {reason}: blocks logins, ends every session.
asio::awaitable<HttpResponse> DisableUser(UsersApi users, HttpRequest& request) {
  static const http::FieldSpec kSchema[] = {{"reason", http::JsonType::kString}};
  users::v1::DisableUserRequest disable;
  if (!request.body.empty()) {
    absl::StatusOr<json::object> body = http::ReadJsonObject(request, kSchema);
    if (!body.ok()) co_return http::ProblemResponse(request, body.status());
    if (const json::value* reason = body->if_contains("reason")) {
      disable.set_reason(std::string(reason->get_string()));
    }
  }
  disable.set_id(std::string(request.PathParam("id")));
  disable.set_etag(IfMatch(request));
  absl::StatusOr<users::v1::User> user = co_await users.client->Call(
      request, "DisableUser", &Stub::async::DisableUser, users.async(), disable);
  if (!user.ok()) co_return WriteProblem(request, user.status(), !disable.etag().empty());
  co_return UserResponse(200, *user);
}

// POST /api/users/{id}/enable: a disabled account may log in again.
asio::awaitable<HttpResponse> EnableUser(UsersApi users, HttpRequest& request) {
  users::v1::EnableUserRequest enable;
  enable.set_id(std::string(request.PathParam("id")));
  enable.set_etag(IfMatch(request));
  absl::StatusOr<users::v1::User> user = co_await users.client->Call(
      request, "EnableUser", &Stub::async::EnableUser, users.async(), enable);
  if (!user.ok()) co_return WriteProblem(request, user.status(), !enable.etag().empty());
  co_return UserResponse(200, *user);
}

// POST /api/users/{id}/restore: undoes a soft delete (before purge_time).
asio::awaitable<HttpResponse> RestoreUser(UsersApi users, HttpRequest& request) {
  users::v1::RestoreUserRequest restore;
  restore.set_id(std::string(request.PathParam("id")));
  restore.set_etag(IfMatch(request));
  absl::StatusOr<users::v1::User> user = co_await users.client->Call(
      request, "RestoreUser", &Stub::async::RestoreUser, users.async(), restore);
  if (!user.ok()) co_return WriteProblem(request, user.status(), !restore.etag().empty());
  co_return UserResponse(200, *user);
}

asio::awaitable<HttpResponse> ListSessions(UsersApi users, HttpRequest& request) {
  static const http::ListQuerySpec kSpec{.sortable = {"id", "createTime"},
                                         .filterable = {},
                                         .searchable = false,
                                         .default_limit = 50,
                                         .max_limit = 500};
  absl::StatusOr<http::ListQuery> query =
      http::ParseListQuery(request.query, request.headers.Get("range"), kSpec);
  if (!query.ok()) {
    co_return http::ProblemResponse(request, query.status());
  }
  if (query->offset != 0) {
    co_return http::ProblemResponse(
        request, http::ValidationProblem("_start", "sessions page by cursor only"));
  }
  users::v1::ListSessionsRequest list;
  list.set_user_id(std::string(request.PathParam("id")));
  list.mutable_page()->set_page_size(static_cast<int32_t>(query->limit));
  if (query->cursor.has_value()) {
    list.mutable_page()->set_page_token(*query->cursor);
  }
  absl::StatusOr<users::v1::ListSessionsResponse> page =
      co_await users.client->Call(request, "ListSessions", &Stub::async::ListSessions,
                                  users.async(), list, {.idempotent = true});
  if (!page.ok()) {
    co_return http::ProblemResponse(request, page.status());
  }
  json::array rows;
  for (const users::v1::Session& session : page->sessions()) {
    rows.push_back(SessionToJson(session));
  }
  co_return ListResponse(*query, std::move(rows), page->page_info());
}

asio::awaitable<HttpResponse> RevokeSession(UsersApi users, HttpRequest& request) {
  users::v1::RevokeSessionRequest revoke;
  revoke.set_session_id(std::string(request.PathParam("sid")));
  absl::StatusOr<google::protobuf::Empty> done = co_await users.client->Call(
      request, "RevokeSession", &Stub::async::RevokeSession, users.async(), revoke);
  if (!done.ok()) {
    co_return http::ProblemResponse(request, done.status());
  }
  co_return http::JsonResponse(200, json::object{{"id", revoke.session_id()},
                                                 {"userId", request.PathParam("id")},
                                                 {"revoked", true}});
}

asio::awaitable<HttpResponse> RevokeAllSessions(UsersApi users, HttpRequest& request) {
  users::v1::RevokeAllSessionsRequest revoke;
  revoke.set_user_id(std::string(request.PathParam("id")));
  absl::StatusOr<users::v1::RevokeAllSessionsResponse> done = co_await users.client->Call(
      request, "RevokeAllSessions", &Stub::async::RevokeAllSessions, users.async(), revoke);
  if (!done.ok()) {
    co_return http::ProblemResponse(request, done.status());
  }
  co_return http::JsonResponse(
      200, json::object{{"userId", revoke.user_id()}, {"revokedCount", done->revoked_count()}});
}

asio::awaitable<HttpResponse> GetLockout(UsersApi users, HttpRequest& request) {
  users::v1::GetLockoutRequest get;
  get.set_user_id(std::string(request.PathParam("id")));
  absl::StatusOr<users::v1::Lockout> lockout = co_await users.client->Call(
      request, "GetLockout", &Stub::async::GetLockout, users.async(), get, {.idempotent = true});
  if (!lockout.ok()) {
    co_return http::ProblemResponse(request, lockout.status());
  }
  co_return http::JsonResponse(200, LockoutToJson(*lockout));
}

asio::awaitable<HttpResponse> Unlock(UsersApi users, HttpRequest& request) {
  users::v1::UnlockRequest unlock;
  unlock.set_user_id(std::string(request.PathParam("id")));
  absl::StatusOr<users::v1::Lockout> lockout = co_await users.client->Call(
      request, "Unlock", &Stub::async::Unlock, users.async(), unlock, {.idempotent = true});
  if (!lockout.ok()) {
    co_return http::ProblemResponse(request, lockout.status());
  }
  co_return http::JsonResponse(200, LockoutToJson(*lockout));
}

asio::awaitable<HttpResponse> ResetPassword(UsersApi users, HttpRequest& request) {
  users::v1::ResetPasswordRequest reset;
  reset.set_user_id(std::string(request.PathParam("id")));
  absl::StatusOr<users::v1::ResetPasswordResponse> done = co_await users.client->Call(
      request, "ResetPassword", &Stub::async::ResetPassword, users.async(), reset);
  if (!done.ok()) {
    co_return http::ProblemResponse(request, done.status());
  }
  HttpResponse response = http::JsonResponse(
      200,
      json::object{{"id", reset.user_id()}, {"temporaryPassword", done->temporary_password()}});
  co_return response;
}

}  // namespace

// The unsafe users routes drop what they touched from the users cache through AddRouteTable.
static_assert(CachingApi<UsersApi>);

absl::Status AddUserRoutes(http::Router& router, const UsersApi& users) {
  static const RouteEntry<UsersApi> kRoutes[] = {
      {"GET", "/api/users", "users:read", &ListUsers},
      {"POST", "/api/users", "users:write", &CreateUser},
      {"GET", "/api/users/{id}", "users:read", &GetUser},
      {"PUT", "/api/users/{id}", "users:write", &UpdateUser},
      {"PATCH", "/api/users/{id}", "users:write", &UpdateUser},
      {"DELETE", "/api/users/{id}", "users:delete", &DeleteUser},
      {"GET", "/api/users/{id}/sessions", "sessions:read", &ListSessions},
      {"DELETE", "/api/users/{id}/sessions", "sessions:revoke", &RevokeAllSessions},
      {"DELETE", "/api/users/{id}/sessions/{sid}", "sessions:revoke", &RevokeSession},
      {"GET", "/api/users/{id}/lockout", "users:read", &GetLockout},
      {"DELETE", "/api/users/{id}/lockout", "users:unlock", &Unlock},
      {"POST", "/api/users/{id}/password-reset", "users:write", &ResetPassword},
      {"POST", "/api/users/{id}/disable", "users:write", &DisableUser},
      {"POST", "/api/users/{id}/enable", "users:write", &EnableUser},
      {"POST", "/api/users/{id}/restore", "users:delete", &RestoreUser},
  };
  return AddRouteTable(router, users, kRoutes);
}

}  // namespace backoffice::bff::app
