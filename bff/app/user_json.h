// JSON for the users REST API. Field names are lowerCamelCase, the proto3 JSON mapping's names
// and what JavaScript admin apps (react-admin, refine) use; every record has `id`.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "bff/app/json_time.h"
#include "bff/http/list_query.h"
#include "google/protobuf/struct.pb.h"
#include "proto/users/v1/users.pb.h"

namespace backoffice::bff::app {

/// "active", "disabled", "deleted" (or "unspecified").
std::string_view UserStatusName(users::v1::UserStatus status);

/// The user record: id, email, displayName, status, emailVerified, phoneNumber, locale,
/// timeZone, attributes, passwordSet, passwordChangeRequired, totpEnabled,
/// recoveryCodesRemaining, disabledReason, createTime, updateTime, deleteTime, purgeTime,
/// lastLoginTime, passwordChangeTime, etag.
boost::json::object UserToJson(const users::v1::User& user);

/// A session record: id, userId, createTime, lastUseTime, expireTime, ipAddress, userAgent,
/// current, secondFactorUsed.
boost::json::object SessionToJson(const users::v1::Session& session);

/// A lockout record (id = the user id): id, userId, locked, failedAttempts, lockedUntil,
/// lockCount, lastFailureTime, lastFailureIpAddress.
boost::json::object LockoutToJson(const users::v1::Lockout& lockout);

/// One row of an import report: row, email, outcome, userId, error.
boost::json::object ImportReportToJson(const users::v1::ImportUsersResponse& response);

/// JSON object ↔ google.protobuf.Struct (numbers become doubles, as Struct holds them).
void JsonToStruct(const boost::json::object& object, google::protobuf::Struct& out);
boost::json::object StructToJson(const google::protobuf::Struct& value);

/// What GET /api/users accepts: sort by id (= createTime: ids are UUIDv7, time ordered),
/// createTime, updateTime, lastLoginTime, email, displayName, status (at most 2 keys); filter by
/// id (repeated), status (active/disabled/deleted, repeated), createTime_gte / createTime_lte
/// (RFC 3339 or YYYY-MM-DD); q (free text, at most 200 characters); pages of at most 500.
const http::ListQuerySpec& UsersListSpec();

/// The users list filters and sort, applied to a ListUsersRequest or ExportUsersRequest.
/// INVALID_ARGUMENT with a field error naming the query parameter for anything ListUsers cannot
/// do (an operator on a field that does not support it, an unknown status, a bad time).
absl::Status ApplyUsersFilters(const http::ListQuery& query, users::v1::ListUsersRequest& out);
absl::Status ApplyUsersFilters(const http::ListQuery& query, users::v1::ExportUsersRequest& out);

/// The paging part: page size, offset or cursor (page token).
void ApplyUsersPage(const http::ListQuery& query, users::v1::ListUsersRequest& out);

}  // namespace backoffice::bff::app
