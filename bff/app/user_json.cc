#include "bff/app/user_json.h"

#include <algorithm>
#include <boost/json/array.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "bff/http/problem.h"

namespace backoffice::bff::app {
namespace {

namespace json = boost::json;
using users::v1::UserStatus;

absl::Status FieldError(std::string field, std::string message) {
  std::string text = absl::StrCat(field, ": ", message);
  return http::WithFieldErrors(absl::InvalidArgumentError(text),
                               {{std::move(field), std::move(message)}});
}

json::value StructValueToJson(const google::protobuf::Value& value) {
  switch (value.kind_case()) {
    case google::protobuf::Value::kNullValue:
      return nullptr;
    case google::protobuf::Value::kNumberValue:
      return value.number_value();
    case google::protobuf::Value::kStringValue:
      return json::string(value.string_value());
    case google::protobuf::Value::kBoolValue:
      return value.bool_value();
    case google::protobuf::Value::kStructValue:
      return StructToJson(value.struct_value());
    case google::protobuf::Value::kListValue: {
      json::array list;
      for (const google::protobuf::Value& item : value.list_value().values()) {
        list.push_back(StructValueToJson(item));
      }
      return list;
    }
    default:
      return nullptr;
  }
}

void JsonToStructValue(const json::value& value, google::protobuf::Value& out) {
  switch (value.kind()) {
    case json::kind::null:
      out.set_null_value(google::protobuf::NULL_VALUE);
      break;
    case json::kind::bool_:
      out.set_bool_value(value.get_bool());
      break;
    case json::kind::int64:
      out.set_number_value(static_cast<double>(value.get_int64()));
      break;
    case json::kind::uint64:
      out.set_number_value(static_cast<double>(value.get_uint64()));
      break;
    case json::kind::double_:
      out.set_number_value(value.get_double());
      break;
    case json::kind::string:
      out.set_string_value(std::string(value.get_string()));
      break;
    case json::kind::array:
      for (const json::value& item : value.get_array()) {
        JsonToStructValue(item, *out.mutable_list_value()->add_values());
      }
      out.mutable_list_value();
      break;
    case json::kind::object:
      JsonToStruct(value.get_object(), *out.mutable_struct_value());
      break;
  }
}

absl::StatusOr<UserStatus> ParseStatus(std::string_view text) {
  if (text == "active") {
    return users::v1::USER_STATUS_ACTIVE;
  }
  if (text == "disabled") {
    return users::v1::USER_STATUS_DISABLED;
  }
  if (text == "deleted") {
    return users::v1::USER_STATUS_DELETED;
  }
  return absl::InvalidArgumentError("must be active, disabled or deleted");
}

std::string SortField(std::string_view field) {
  if (field == "id" || field == "createTime") {
    return "create_time";
  }
  if (field == "updateTime") {
    return "update_time";
  }
  if (field == "lastLoginTime") {
    return "last_login_time";
  }
  if (field == "displayName") {
    return "display_name";
  }
  return std::string(field);  // email, status
}

// Both request types carry the same filter fields.
template <typename Request>
absl::Status ApplyFilters(const http::ListQuery& query, Request& out) {
  if (query.q.has_value()) {
    out.set_query(*query.q);
  }
  for (const http::Filter& filter : query.filters) {
    std::string param = http::FilterParamName(filter);
    if (filter.field == "id" && filter.op == http::FilterOp::kEq) {
      for (const std::string& id : filter.values) {
        out.add_ids(id);
      }
    } else if (filter.field == "status" && filter.op == http::FilterOp::kEq) {
      for (const std::string& value : filter.values) {
        absl::StatusOr<UserStatus> status = ParseStatus(value);
        if (!status.ok()) {
          return FieldError(param, std::string(status.status().message()));
        }
        out.add_statuses(*status);
      }
    } else if (filter.field == "createTime" &&
               (filter.op == http::FilterOp::kGte || filter.op == http::FilterOp::kLte)) {
      bool end = filter.op == http::FilterOp::kLte;
      absl::StatusOr<absl::Time> time = ParseFilterTime(filter.values.front(), end);
      if (!time.ok()) {
        return FieldError(param, std::string(time.status().message()));
      }
      *(end ? out.mutable_create_time()->mutable_end_time()
            : out.mutable_create_time()->mutable_start_time()) = ToTimestamp(*time);
    } else {
      return FieldError(param, absl::StrCat("is not supported; users filter by id, status, "
                                            "createTime_gte, createTime_lte and q"));
    }
  }
  if (query.sort.size() > 2) {
    return FieldError("_sort", "at most 2 sort fields");
  }
  for (const http::SortKey& key : query.sort) {
    backoffice::common::v1::SortOrder* order = out.add_order_by();
    order->set_field(SortField(key.field));
    order->set_direction(key.descending ? backoffice::common::v1::SORT_DIRECTION_DESC
                                        : backoffice::common::v1::SORT_DIRECTION_ASC);
  }
  return absl::OkStatus();
}

}  // namespace

std::string_view UserStatusName(UserStatus status) {
  switch (status) {
    case users::v1::USER_STATUS_ACTIVE:
      return "active";
    case users::v1::USER_STATUS_DISABLED:
      return "disabled";
    case users::v1::USER_STATUS_DELETED:
      return "deleted";
    default:
      return "unspecified";
  }
}

json::object UserToJson(const users::v1::User& user) {
  json::object out;
  out["id"] = user.id();
  out["email"] = user.email();
  out["displayName"] = user.display_name();
  out["status"] = UserStatusName(user.status());
  out["emailVerified"] = user.email_verified();
  out["phoneNumber"] = user.phone_number();
  out["locale"] = user.locale();
  out["timeZone"] = user.time_zone();
  out["attributes"] = StructToJson(user.attributes());
  out["passwordSet"] = user.password_set();
  out["passwordChangeRequired"] = user.password_change_required();
  out["totpEnabled"] = user.totp_enabled();
  out["recoveryCodesRemaining"] = user.recovery_codes_remaining();
  out["disabledReason"] = user.disabled_reason();
  out["createTime"] = TimestampJson(user.create_time(), user.has_create_time());
  out["updateTime"] = TimestampJson(user.update_time(), user.has_update_time());
  out["deleteTime"] = TimestampJson(user.delete_time(), user.has_delete_time());
  out["purgeTime"] = TimestampJson(user.purge_time(), user.has_purge_time());
  out["lastLoginTime"] = TimestampJson(user.last_login_time(), user.has_last_login_time());
  out["passwordChangeTime"] =
      TimestampJson(user.password_change_time(), user.has_password_change_time());
  out["etag"] = user.etag();
  return out;
}

json::object SessionToJson(const users::v1::Session& session) {
  json::object out;
  out["id"] = session.id();
  out["userId"] = session.user_id();
  out["createTime"] = TimestampJson(session.create_time(), session.has_create_time());
  out["lastUseTime"] = TimestampJson(session.last_use_time(), session.has_last_use_time());
  out["expireTime"] = TimestampJson(session.expire_time(), session.has_expire_time());
  out["ipAddress"] = session.ip_address();
  out["userAgent"] = session.user_agent();
  out["current"] = session.current();
  out["secondFactorUsed"] = session.second_factor_used();
  return out;
}

json::object LockoutToJson(const users::v1::Lockout& lockout) {
  json::object out;
  out["id"] = lockout.user_id();
  out["userId"] = lockout.user_id();
  out["locked"] = lockout.locked();
  out["failedAttempts"] = lockout.failed_attempts();
  out["lockedUntil"] = TimestampJson(lockout.locked_until(), lockout.has_locked_until());
  out["lockCount"] = lockout.lock_count();
  out["lastFailureTime"] =
      TimestampJson(lockout.last_failure_time(), lockout.has_last_failure_time());
  out["lastFailureIpAddress"] = lockout.last_failure_ip_address();
  return out;
}

json::object ImportReportToJson(const users::v1::ImportUsersResponse& response) {
  json::object out;
  out["totalRows"] = response.total_rows();
  out["createdCount"] = response.created_count();
  out["updatedCount"] = response.updated_count();
  out["skippedCount"] = response.skipped_count();
  out["failedCount"] = response.failed_count();
  out["dryRun"] = response.dry_run();
  json::array rows;
  for (const users::v1::ImportRowResult& row : response.rows()) {
    json::object item;
    item["row"] = row.row();
    item["email"] = row.email();
    switch (row.outcome()) {
      case users::v1::IMPORT_ROW_OUTCOME_CREATED:
        item["outcome"] = "created";
        break;
      case users::v1::IMPORT_ROW_OUTCOME_UPDATED:
        item["outcome"] = "updated";
        break;
      case users::v1::IMPORT_ROW_OUTCOME_SKIPPED:
        item["outcome"] = "skipped";
        break;
      case users::v1::IMPORT_ROW_OUTCOME_FAILED:
        item["outcome"] = "failed";
        break;
      default:
        item["outcome"] = "unspecified";
        break;
    }
    item["userId"] = row.user_id().empty() ? json::value(nullptr) : json::value(row.user_id());
    item["error"] = row.error().empty() ? json::value(nullptr) : json::value(row.error());
    rows.push_back(std::move(item));
  }
  out["rows"] = std::move(rows);
  return out;
}

void JsonToStruct(const json::object& object, google::protobuf::Struct& out) {
  out.Clear();
  for (const auto& [key, value] : object) {
    JsonToStructValue(value, (*out.mutable_fields())[std::string(key)]);
  }
}

json::object StructToJson(const google::protobuf::Struct& value) {
  json::object out;
  for (const auto& [key, item] : value.fields()) {
    out[key] = StructValueToJson(item);
  }
  return out;
}

const http::ListQuerySpec& UsersListSpec() {
  static const http::ListQuerySpec* spec = new http::ListQuerySpec{
      .sortable = {"id", "createTime", "updateTime", "lastLoginTime", "email", "displayName",
                   "status"},
      .filterable = {"id", "status", "createTime"},
      .searchable = true,
      .default_limit = 25,
      .max_limit = 500,
      .max_filter_values = 500,
  };
  return *spec;
}

absl::Status ApplyUsersFilters(const http::ListQuery& query, users::v1::ListUsersRequest& out) {
  return ApplyFilters(query, out);
}

absl::Status ApplyUsersFilters(const http::ListQuery& query, users::v1::ExportUsersRequest& out) {
  return ApplyFilters(query, out);
}

void ApplyUsersPage(const http::ListQuery& query, users::v1::ListUsersRequest& out) {
  out.mutable_page()->set_page_size(static_cast<int32_t>(query.limit));
  if (query.cursor.has_value()) {
    out.mutable_page()->set_page_token(*query.cursor);
  } else {
    out.mutable_page()->set_offset(static_cast<int32_t>(std::min<int64_t>(query.offset, 1 << 30)));
  }
}

}  // namespace backoffice::bff::app
