#include "bff/app/role_json.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "bff/app/json_time.h"
#include "bff/http/problem.h"

namespace backoffice::bff::app {
namespace {

namespace json = boost::json;
using http::FieldSpec;
using http::JsonType;

absl::Status FieldError(std::string field, std::string message) {
  std::string text = absl::StrCat(field, ": ", message);
  return http::WithFieldErrors(absl::InvalidArgumentError(text),
                               {{std::move(field), std::move(message)}});
}

json::array Strings(const google::protobuf::RepeatedPtrField<std::string>& values) {
  json::array out;
  for (const std::string& value : values) {
    out.push_back(json::string(value));
  }
  return out;
}

json::value OrNull(const std::string& text) {
  return text.empty() ? json::value(nullptr) : json::value(text);
}

// A filter that takes one `true`/`false` with `=` only.
absl::StatusOr<bool> BoolFilter(const http::Filter& filter) {
  if (filter.op != http::FilterOp::kEq) {
    return FieldError(http::FilterParamName(filter),
                      "is not supported; use " + filter.field + "=true|false");
  }
  if (filter.values.size() != 1 || (filter.values[0] != "true" && filter.values[0] != "false")) {
    return FieldError(http::FilterParamName(filter), "must be true or false");
  }
  return filter.values[0] == "true";
}

absl::Status Unsupported(const http::Filter& filter, const char* supported) {
  return FieldError(http::FilterParamName(filter), absl::StrCat("is not supported; ", supported));
}

void SetPage(const http::ListQuery& query, common::v1::PageRequest& page) {
  page.set_page_size(static_cast<int32_t>(query.limit));
  if (query.cursor.has_value()) {
    page.set_page_token(*query.cursor);
  } else {
    page.set_offset(static_cast<int32_t>(std::min<int64_t>(query.offset, 1 << 30)));
  }
}

// Fields a client may write, with their proto field-mask paths.
struct Writable {
  const char* json_name;
  const char* mask_path;
  JsonType type;
};
constexpr Writable kWritable[] = {
    {"name", "name", JsonType::kString},
    {"displayName", "display_name", JsonType::kString},
    {"description", "description", JsonType::kString},
    {"permissions", "permissions", JsonType::kStringArray},
    {"parentRoleIds", "parent_role_ids", JsonType::kStringArray},
};

// Output-only members: accepted and ignored, because react-admin sends the whole record back.
constexpr const char* kReadOnly[] = {"id", "system", "memberCount", "createTime", "updateTime"};

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

}  // namespace

json::object PermissionToJson(const roles::v1::Permission& permission) {
  json::object out;
  out["id"] = permission.name();
  out["name"] = permission.name();
  out["service"] = permission.service();
  out["description"] = permission.description();
  out["createTime"] = TimestampJson(permission.create_time(), permission.has_create_time());
  out["updateTime"] = TimestampJson(permission.update_time(), permission.has_update_time());
  return out;
}

json::object RoleToJson(const roles::v1::Role& role) {
  json::object out;
  out["id"] = role.id();
  out["name"] = role.name();
  out["displayName"] = role.display_name();
  out["description"] = role.description();
  out["system"] = role.system();
  out["permissions"] = Strings(role.permissions());
  out["parentRoleIds"] = Strings(role.parent_role_ids());
  out["memberCount"] = role.member_count();
  out["createTime"] = TimestampJson(role.create_time(), role.has_create_time());
  out["updateTime"] = TimestampJson(role.update_time(), role.has_update_time());
  out["etag"] = role.etag();
  return out;
}

json::object GrantToJson(const roles::v1::RoleGrant& grant) {
  json::object out;
  out["id"] = grant.id();
  out["userId"] = grant.user_id();
  out["roleId"] = grant.role_id();
  out["grantedBy"] = grant.granted_by();
  out["reason"] = grant.reason();
  out["createTime"] = TimestampJson(grant.create_time(), grant.has_create_time());
  out["expireTime"] = TimestampJson(grant.expire_time(), grant.has_expire_time());
  out["expired"] = grant.expired();
  return out;
}

json::object MemberToJson(const roles::v1::RoleGrant& grant, const users::v1::User* user) {
  json::object out = GrantToJson(grant);
  out["email"] = user == nullptr ? json::value(nullptr) : json::value(user->email());
  out["displayName"] = user == nullptr ? json::value(nullptr) : OrNull(user->display_name());
  return out;
}

json::object UserRoleToJson(const roles::v1::UserRole& held) {
  const roles::v1::RoleGrant& grant = held.grant();
  json::object out;
  out["id"] = grant.id();
  out["userId"] = grant.user_id();
  out["roleId"] = grant.role_id();
  out["name"] = held.role().name();
  out["displayName"] = held.role().display_name();
  out["system"] = held.role().system();
  out["grantedBy"] = grant.granted_by();
  out["reason"] = grant.reason();
  out["createTime"] = TimestampJson(grant.create_time(), grant.has_create_time());
  out["expireTime"] = TimestampJson(grant.expire_time(), grant.has_expire_time());
  out["expired"] = grant.expired();
  return out;
}

const std::vector<FieldSpec>& RoleCreateSchema() {
  static const std::vector<FieldSpec>* schema = [] {
    auto* out = new std::vector<FieldSpec>(UpdateSchema());
    (*out)[0].required = true;  // name
    (*out)[0].nullable = false;
    return out;
  }();
  return *schema;
}

const std::vector<FieldSpec>& RoleUpdateSchema() {
  static const std::vector<FieldSpec>* schema = new std::vector<FieldSpec>(UpdateSchema());
  return *schema;
}

std::vector<std::string> FillRole(const json::object& body, roles::v1::Role& role) {
  std::vector<std::string> paths;
  for (const Writable& field : kWritable) {
    const json::value* value = body.if_contains(field.json_name);
    if (value == nullptr) {
      continue;
    }
    paths.emplace_back(field.mask_path);
    std::string_view name = field.json_name;
    std::string text = value->is_string() ? std::string(value->get_string()) : "";
    if (name == "name") {
      role.set_name(text);
    } else if (name == "displayName") {
      role.set_display_name(text);
    } else if (name == "description") {
      role.set_description(text);
    } else {
      google::protobuf::RepeatedPtrField<std::string>* list =
          name == "permissions" ? role.mutable_permissions() : role.mutable_parent_role_ids();
      list->Clear();
      if (value->is_array()) {
        for (const json::value& item : value->get_array()) {
          list->Add(std::string(item.get_string()));
        }
      }
    }
  }
  return paths;
}

const std::vector<FieldSpec>& GrantSchema() {
  static const std::vector<FieldSpec>* schema = new std::vector<FieldSpec>{
      {"roleId", JsonType::kString, true, false},
      {"expireTime", JsonType::kString, false, true},
      {"reason", JsonType::kString, false, true},
      {"userId", JsonType::kString, false, true},
  };
  return *schema;
}

absl::Status FillGrant(const json::object& body, const std::string& user_id,
                       roles::v1::GrantRoleRequest& out) {
  if (const json::value* id = body.if_contains("userId");
      id != nullptr && id->is_string() && id->get_string() != user_id) {
    return FieldError("userId", "does not match the URL");
  }
  out.set_user_id(user_id);
  out.set_role_id(std::string(body.at("roleId").get_string()));
  if (const json::value* expire = body.if_contains("expireTime");
      expire != nullptr && expire->is_string()) {
    absl::StatusOr<google::protobuf::Timestamp> time = ParseTimestamp(expire->get_string());
    if (!time.ok()) {
      return FieldError("expireTime", std::string(time.status().message()));
    }
    *out.mutable_expire_time() = *time;
  }
  if (const json::value* reason = body.if_contains("reason");
      reason != nullptr && reason->is_string()) {
    out.set_reason(std::string(reason->get_string()));
  }
  return absl::OkStatus();
}

// ---- Lists --------------------------------------------------------------------------------------

const http::ListQuerySpec& PermissionsListSpec() {
  static const http::ListQuerySpec* spec = new http::ListQuerySpec{
      .sortable = {"name", "id"},
      .filterable = {"service"},
      .searchable = true,
      .default_limit = 100,
      .max_limit = 500,
      .max_filter_values = 1,
  };
  return *spec;
}

absl::Status ApplyPermissionsQuery(const http::ListQuery& query,
                                   roles::v1::ListPermissionsRequest& out) {
  if (query.q.has_value()) {
    out.set_query(*query.q);
  }
  for (const http::Filter& filter : query.filters) {
    if (filter.field != "service" || filter.op != http::FilterOp::kEq) {
      return Unsupported(filter, "permissions filter by service (exact) and q");
    }
    out.set_service(filter.values.front());
  }
  if (query.sort.size() > 1 || (!query.sort.empty() && query.sort.front().descending)) {
    return FieldError("_sort", "the catalog is ordered by name, ascending");
  }
  // The catalog pages by token only; an offset is served from one page of offset + limit
  // entries, which covers every catalog of up to 500 permissions.
  out.mutable_page()->set_page_size(static_cast<int32_t>(query.limit));
  if (query.cursor.has_value()) {
    out.mutable_page()->set_page_token(*query.cursor);
  } else if (query.offset > 0) {
    if (query.offset + query.limit > 500) {
      return FieldError("_start", "offsets reach the first 500 permissions; page on by cursor");
    }
    out.mutable_page()->set_page_size(static_cast<int32_t>(query.offset + query.limit));
  }
  return absl::OkStatus();
}

const http::ListQuerySpec& RolesListSpec() {
  static const http::ListQuerySpec* spec = new http::ListQuerySpec{
      .sortable = {"name"},
      .filterable = {"id", "permission", "system"},
      .searchable = true,
      .default_limit = 25,
      .max_limit = 500,
      .max_filter_values = 500,
  };
  return *spec;
}

absl::Status ApplyRolesQuery(const http::ListQuery& query, roles::v1::ListRolesRequest& out) {
  if (query.q.has_value()) {
    out.set_query(*query.q);
  }
  for (const http::Filter& filter : query.filters) {
    if (filter.op != http::FilterOp::kEq) {
      return Unsupported(filter, "roles filter by id, permission, system and q");
    }
    if (filter.field == "id") {
      for (const std::string& id : filter.values) {
        out.add_ids(id);
      }
    } else if (filter.field == "permission") {
      if (filter.values.size() != 1) {
        return FieldError(http::FilterParamName(filter), "takes a single value");
      }
      out.set_permission(filter.values.front());
    } else {
      absl::StatusOr<bool> system = BoolFilter(filter);
      if (!system.ok()) {
        return system.status();
      }
      out.set_kind(*system ? roles::v1::ROLE_KIND_SYSTEM : roles::v1::ROLE_KIND_CUSTOM);
    }
  }
  for (const http::SortKey& key : query.sort) {
    common::v1::SortOrder* order = out.add_order_by();
    order->set_field("name");
    order->set_direction(key.descending ? common::v1::SORT_DIRECTION_DESC
                                        : common::v1::SORT_DIRECTION_ASC);
  }
  SetPage(query, *out.mutable_page());
  return absl::OkStatus();
}

const http::ListQuerySpec& MembersListSpec() {
  static const http::ListQuerySpec* spec = new http::ListQuerySpec{
      .sortable = {"createTime", "id"},
      .filterable = {"includeInherited", "includeExpired"},
      .searchable = false,
      .default_limit = 25,
      .max_limit = 500,
      .max_filter_values = 1,
  };
  return *spec;
}

absl::Status ApplyMembersQuery(const http::ListQuery& query,
                               roles::v1::ListRoleMembersRequest& out) {
  for (const http::Filter& filter : query.filters) {
    absl::StatusOr<bool> value = BoolFilter(filter);
    if (!value.ok()) {
      return value.status();
    }
    if (filter.field == "includeInherited") {
      out.set_include_inherited(*value);
    } else {
      out.set_include_expired(*value);
    }
  }
  if (query.sort.size() > 1) {
    return FieldError("_sort", "at most 1 sort field");
  }
  // Grant ids are UUIDv7, so `id` orders by time as well.
  for (const http::SortKey& key : query.sort) {
    common::v1::SortOrder* order = out.add_order_by();
    order->set_field("create_time");
    order->set_direction(key.descending ? common::v1::SORT_DIRECTION_DESC
                                        : common::v1::SORT_DIRECTION_ASC);
  }
  SetPage(query, *out.mutable_page());
  return absl::OkStatus();
}

const http::ListQuerySpec& UserRolesListSpec() {
  static const http::ListQuerySpec* spec = new http::ListQuerySpec{
      .sortable = {"name", "id", "createTime", "expireTime"},
      .filterable = {"includeExpired", "userId"},
      .searchable = false,
      .default_limit = 100,
      .max_limit = 100,
      .max_filter_values = 1,
  };
  return *spec;
}

absl::StatusOr<UserRolesFilter> UserRolesFilterOf(const http::ListQuery& query,
                                                  std::string_view path_user_id) {
  UserRolesFilter out;
  for (const http::Filter& filter : query.filters) {
    if (filter.field == "userId") {
      if (filter.op != http::FilterOp::kEq || filter.values.size() != 1) {
        return FieldError(http::FilterParamName(filter), "is not supported; use userId=<id>");
      }
      out.matches_none =
          out.matches_none ||
          !absl::EqualsIgnoreCase(filter.values[0], {path_user_id.data(), path_user_id.size()});
      continue;
    }
    absl::StatusOr<bool> value = BoolFilter(filter);  // includeExpired
    if (!value.ok()) {
      return value.status();
    }
    out.include_expired = *value;
  }
  return out;
}

absl::StatusOr<json::array> UserRolesPage(const http::ListQuery& query,
                                          std::vector<roles::v1::UserRole> held) {
  if (query.cursor.has_value()) {
    return FieldError("cursor", "a user's roles (at most 100) page by offset only");
  }
  if (query.sort.size() > 1) {
    return FieldError("_sort", "at most 1 sort field");
  }
  if (!query.sort.empty()) {
    const http::SortKey& key = query.sort.front();
    // An unset expiry is "never": it sorts after every time.
    auto expiry = [](const roles::v1::UserRole& r) {
      return r.grant().has_expire_time() ? std::make_pair(r.grant().expire_time().seconds(),
                                                          r.grant().expire_time().nanos())
                                         : std::make_pair(INT64_MAX, 0);
    };
    auto less = [&](const roles::v1::UserRole& a, const roles::v1::UserRole& b) {
      if (key.field == "id") {
        return a.grant().id() < b.grant().id();
      }
      if (key.field == "createTime") {
        return std::make_pair(a.grant().create_time().seconds(), a.grant().create_time().nanos()) <
               std::make_pair(b.grant().create_time().seconds(), b.grant().create_time().nanos());
      }
      if (key.field == "expireTime") {
        return expiry(a) < expiry(b);
      }
      return absl::AsciiStrToLower(a.role().name()) < absl::AsciiStrToLower(b.role().name());
    };
    std::stable_sort(held.begin(), held.end(),
                     [&](const roles::v1::UserRole& a, const roles::v1::UserRole& b) {
                       return key.descending ? less(b, a) : less(a, b);
                     });
  }
  json::array rows;
  for (size_t i = static_cast<size_t>(query.offset);
       i < held.size() && rows.size() < static_cast<size_t>(query.limit); ++i) {
    rows.push_back(UserRoleToJson(held[i]));
  }
  return rows;
}

}  // namespace backoffice::bff::app
