#include "services/users/store/user_row.h"

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace backoffice::users {
namespace {

// Positions in UserColumns::names().
enum Column : int {
  kId,
  kEmail,
  kDisplayName,
  kStatus,
  kDisabledReason,
  kEmailVerified,
  kPhoneNumber,
  kLocale,
  kTimeZone,
  kAttributes,
  kVersion,
  kCreatedAt,
  kUpdatedAt,
  kDeletedAt,
  kLastLoginAt,
  kPasswordSet,
  kPasswordChangeRequired,
  kPasswordChangedAt,
  kTotpEnabled,
  kRecoveryCodesRemaining,
  kColumnCount,  // not a column
};
static_assert(kColumnCount == UserColumns::kCount, "Column and UserColumns::names() must match");

// Reads column `column` into `out`; the first failure is kept in `status`.
class Reader {
 public:
  Reader(const pg::Row& row, const UserColumns& columns) : row_(row), columns_(columns) {}

  template <typename T>
  void Read(Column column, T& out) {
    if (!status_.ok()) return;
    absl::StatusOr<T> value = row_.Get<T>(columns_.positions()[column]);
    if (!value.ok()) {
      status_ = absl::InternalError(absl::StrCat("reading user_view.", UserColumns::names()[column],
                                                 ": ", value.status().message()));
      return;
    }
    out = *std::move(value);
  }

  const absl::Status& status() const { return status_; }

 private:
  const pg::Row& row_;
  const UserColumns& columns_;
  absl::Status status_;
};

}  // namespace

const std::array<const char*, UserColumns::kCount>& UserColumns::names() {
  static constexpr std::array<const char*, kCount> kNames = {
      "id",
      "email",
      "display_name",
      "status",
      "disabled_reason",
      "email_verified",
      "phone_number",
      "locale",
      "time_zone",
      "attributes",
      "version",
      "created_at",
      "updated_at",
      "deleted_at",
      "last_login_at",
      "password_set",
      "password_change_required",
      "password_changed_at",
      "totp_enabled",
      "recovery_codes_remaining",
  };
  return kNames;
}

absl::StatusOr<UserColumns> UserColumns::Of(const pg::Row& row) {
  UserColumns columns;
  for (int i = 0; i < kCount; ++i) {
    absl::StatusOr<int> position = row.ColumnIndex(names()[i]);
    if (!position.ok()) {
      return absl::InternalError(
          absl::StrCat("reading user_view.", names()[i], ": ", position.status().message()));
    }
    columns.positions_[i] = *position;
  }
  return columns;
}

absl::StatusOr<User> UserFromRow(const pg::Row& row, const UserColumns& columns,
                                 absl::Duration delete_retention) {
  User user;
  Reader r(row, columns);
  std::string status;
  r.Read(kId, user.id);
  r.Read(kEmail, user.email);
  r.Read(kDisplayName, user.display_name);
  r.Read(kStatus, status);
  r.Read(kDisabledReason, user.disabled_reason);
  r.Read(kEmailVerified, user.email_verified);
  r.Read(kPhoneNumber, user.phone_number);
  r.Read(kLocale, user.locale);
  r.Read(kTimeZone, user.time_zone);
  r.Read(kAttributes, user.attributes);
  r.Read(kVersion, user.version);
  r.Read(kCreatedAt, user.create_time);
  r.Read(kUpdatedAt, user.update_time);
  r.Read(kDeletedAt, user.delete_time);
  r.Read(kLastLoginAt, user.last_login_time);
  r.Read(kPasswordSet, user.password_set);
  r.Read(kPasswordChangeRequired, user.password_change_required);
  r.Read(kPasswordChangedAt, user.password_change_time);
  r.Read(kTotpEnabled, user.totp_enabled);
  r.Read(kRecoveryCodesRemaining, user.recovery_codes_remaining);
  if (!r.status().ok()) return r.status();
  absl::StatusOr<UserStatus> parsed = ParseUserStatus(status);
  if (!parsed.ok()) return absl::InternalError("user_view.status holds an unknown value");
  user.status = *parsed;
  if (user.delete_time.has_value()) user.purge_time = *user.delete_time + delete_retention;
  return user;
}

absl::StatusOr<User> UserFromRow(const pg::Row& row, absl::Duration delete_retention) {
  absl::StatusOr<UserColumns> columns = UserColumns::Of(row);
  if (!columns.ok()) return columns.status();
  return UserFromRow(row, *columns, delete_retention);
}

}  // namespace backoffice::users
