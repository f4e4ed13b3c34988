#include "services/users/user_mapping.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/log/log.h"

namespace backoffice::users {
namespace {

// Debian's Abseil has its own string_view type, distinct from std::string_view.
absl::string_view AbslView(std::string_view text) { return {text.data(), text.size()}; }

absl::Status Invalid(std::string_view field, std::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(AbslView(field), ": ", AbslView(problem)));
}

// Seconds of 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z (google/protobuf/timestamp.proto).
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;

SortDirection DirectionFromProto(common::v1::SortDirection direction) {
  switch (direction) {
    case common::v1::SORT_DIRECTION_ASC:
      return SortDirection::kAsc;
    case common::v1::SORT_DIRECTION_DESC:
      return SortDirection::kDesc;
    default:
      return SortDirection::kDefault;
  }
}

absl::StatusOr<TotalCountMode> CountModeFromProto(int mode) {
  switch (mode) {
    case common::v1::TOTAL_COUNT_MODE_UNSPECIFIED:
      return TotalCountMode::kDefault;
    case common::v1::TOTAL_COUNT_MODE_NONE:
      return TotalCountMode::kNone;
    case common::v1::TOTAL_COUNT_MODE_ESTIMATE:
      return TotalCountMode::kEstimate;
    case common::v1::TOTAL_COUNT_MODE_EXACT:
      return TotalCountMode::kExact;
    default:
      return Invalid("page.total_count_mode", "unknown value");
  }
}

// The filters ListUsersRequest and ExportUsersRequest share (same field names in both).
template <typename Request>
absl::Status FiltersFromProto(const Request& request, ListUsersRequest& out) {
  out.query = request.query();
  for (int i = 0; i < request.statuses_size(); ++i) {
    absl::StatusOr<UserStatus> status =
        StatusFromProto(request.statuses(i), absl::StrCat("statuses[", i, "]"));
    if (!status.ok()) {
      return status.status();
    }
    out.statuses.push_back(*status);
  }
  if (request.has_create_time()) {
    const common::v1::TimeRange& range = request.create_time();
    if (range.has_start_time()) {
      absl::StatusOr<absl::Time> start =
          TimeFromProto(range.start_time(), "create_time.start_time");
      if (!start.ok()) {
        return start.status();
      }
      out.create_time_start = *start;
    }
    if (range.has_end_time()) {
      absl::StatusOr<absl::Time> end = TimeFromProto(range.end_time(), "create_time.end_time");
      if (!end.ok()) {
        return end.status();
      }
      out.create_time_end = *end;
    }
    if (out.create_time_start && out.create_time_end &&
        *out.create_time_start > *out.create_time_end) {
      return Invalid("create_time.end_time", "must not be before create_time.start_time");
    }
  }
  out.ids.assign(request.ids().begin(), request.ids().end());
  for (const common::v1::SortOrder& order : request.order_by()) {
    out.order_by.push_back(
        {.field = order.field(), .direction = DirectionFromProto(order.direction())});
  }
  return absl::OkStatus();
}

}  // namespace

v1::UserStatus StatusToProto(UserStatus status) {
  switch (status) {
    case UserStatus::kActive:
      return v1::USER_STATUS_ACTIVE;
    case UserStatus::kDisabled:
      return v1::USER_STATUS_DISABLED;
    case UserStatus::kDeleted:
      return v1::USER_STATUS_DELETED;
  }
  return v1::USER_STATUS_UNSPECIFIED;
}

absl::StatusOr<UserStatus> StatusFromProto(int status, std::string_view field) {
  switch (status) {
    case v1::USER_STATUS_ACTIVE:
      return UserStatus::kActive;
    case v1::USER_STATUS_DISABLED:
      return UserStatus::kDisabled;
    case v1::USER_STATUS_DELETED:
      return UserStatus::kDeleted;
    default:
      return Invalid(field, "must be ACTIVE, DISABLED or DELETED");
  }
}

void TimeToProto(absl::Time time, google::protobuf::Timestamp* out) {
  const int64_t seconds = absl::ToUnixSeconds(time);
  out->set_seconds(seconds);
  out->set_nanos(
      static_cast<int32_t>(absl::ToInt64Nanoseconds(time - absl::FromUnixSeconds(seconds))));
}

absl::StatusOr<absl::Time> TimeFromProto(const google::protobuf::Timestamp& timestamp,
                                         std::string_view field) {
  if (timestamp.nanos() < 0 || timestamp.nanos() > 999'999'999) {
    return Invalid(field, "nanos must be 0 to 999,999,999");
  }
  if (timestamp.seconds() < kMinTimestampSeconds || timestamp.seconds() > kMaxTimestampSeconds) {
    return Invalid(field, "must be between years 1 and 9999");
  }
  return absl::FromUnixSeconds(timestamp.seconds()) + absl::Nanoseconds(timestamp.nanos());
}

void UserToProto(const User& user, v1::User* out) {
  out->set_id(user.id);
  out->set_email(user.email);
  out->set_display_name(user.display_name);
  out->set_status(StatusToProto(user.status));
  out->set_email_verified(user.email_verified);
  out->set_phone_number(user.phone_number);
  out->set_locale(user.locale);
  out->set_time_zone(user.time_zone);
  if (!user.attributes.empty() && user.attributes != "{}") {
    google::protobuf::util::Status parsed =
        google::protobuf::util::JsonStringToMessage(user.attributes, out->mutable_attributes());
    if (!parsed.ok()) {
      // The store only holds JSON objects it validated; an unreadable one is a bug, not input.
      log::Error("stored attributes do not parse as a Struct", {{"user_id", user.id}});
      out->clear_attributes();
    }
  }
  out->set_password_set(user.password_set);
  out->set_password_change_required(user.password_change_required);
  out->set_totp_enabled(user.totp_enabled);
  out->set_recovery_codes_remaining(user.recovery_codes_remaining);
  out->set_disabled_reason(user.disabled_reason);
  TimeToProto(user.create_time, out->mutable_create_time());
  TimeToProto(user.update_time, out->mutable_update_time());
  if (user.delete_time) {
    TimeToProto(*user.delete_time, out->mutable_delete_time());
  }
  if (user.purge_time) {
    TimeToProto(*user.purge_time, out->mutable_purge_time());
  }
  if (user.last_login_time) {
    TimeToProto(*user.last_login_time, out->mutable_last_login_time());
  }
  if (user.password_change_time) {
    TimeToProto(*user.password_change_time, out->mutable_password_change_time());
  }
  out->set_etag(EtagForVersion(user.version));
}

UserFields FieldsFromProto(const v1::User& user) {
  UserFields fields{
      .email = user.email(),
      .display_name = user.display_name(),
      .email_verified = user.email_verified(),
      .phone_number = user.phone_number(),
      .locale = user.locale(),
      .time_zone = user.time_zone(),
  };
  if (user.has_attributes()) {
    // A Struct always prints as a JSON object; the store checks its size and key count.
    google::protobuf::util::MessageToJsonString(user.attributes(), &fields.attributes);
  }
  return fields;
}

absl::StatusOr<std::optional<int64_t>> VersionFromOptionalEtag(std::string_view etag,
                                                               std::string_view field) {
  if (etag.empty()) {
    return std::nullopt;
  }
  absl::StatusOr<int64_t> version = VersionFromEtag(etag);
  if (!version.ok()) {
    return Invalid(field, "not an etag this service issued");
  }
  return *version;
}

absl::StatusOr<UserUpdate> UpdateFromProto(const v1::UpdateUserRequest& request) {
  if (!request.has_user()) {
    return Invalid("user", "required");
  }
  if (request.user().id().empty()) {
    return Invalid("user.id", "required");
  }
  if (!request.has_update_mask() || request.update_mask().paths_size() == 0) {
    return Invalid("update_mask", "required: name the fields to change");
  }
  absl::StatusOr<std::optional<int64_t>> version =
      VersionFromOptionalEtag(request.user().etag(), "user.etag");
  if (!version.ok()) {
    return version.status();
  }
  UserUpdate update{
      .id = request.user().id(),
      .fields = FieldsFromProto(request.user()),
      .update_mask = {request.update_mask().paths().begin(), request.update_mask().paths().end()},
      .expected_version = *version,
  };
  return update;
}

absl::StatusOr<ListUsersRequest> ListRequestFromProto(const v1::ListUsersRequest& request) {
  ListUsersRequest out;
  out.page_size = request.page().page_size();
  out.offset = request.page().offset();
  if (request.page().page_token().size() > kMaxApiPageTokenBytes) {
    return Invalid("page.page_token", "must be at most 1024 bytes");
  }
  out.page_token = request.page().page_token();
  absl::StatusOr<TotalCountMode> mode = CountModeFromProto(request.page().total_count_mode());
  if (!mode.ok()) {
    return mode.status();
  }
  out.total_count_mode = *mode;
  if (absl::Status filters = FiltersFromProto(request, out); !filters.ok()) {
    return filters;
  }
  return out;
}

absl::StatusOr<ListUsersRequest> ExportFilterFromProto(const v1::ExportUsersRequest& request) {
  ListUsersRequest out;
  if (absl::Status filters = FiltersFromProto(request, out); !filters.ok()) {
    return filters;
  }
  if (out.order_by.empty()) {
    out.order_by.push_back({.field = "create_time", .direction = SortDirection::kAsc});
  }
  return out;
}

void ListResponseToProto(const ListUsersPage& page, v1::ListUsersResponse* out) {
  out->mutable_users()->Reserve(static_cast<int>(page.users.size()));
  for (const User& user : page.users) {
    UserToProto(user, out->add_users());
  }
  common::v1::PageInfo* info = out->mutable_page_info();
  info->set_next_page_token(page.next_page_token);
  info->set_total_size(page.total_size);
  info->set_total_is_estimate(page.total_is_estimate);
}

}  // namespace backoffice::users
