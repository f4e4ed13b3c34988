#include "services/users/store/user_row.h"

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace backoffice::users {
namespace {

// Reads column `name` into `out`; the first failure is kept in `status`.
class Reader {
 public:
  explicit Reader(const pg::Row& row) : row_(row) {}

  template <typename T>
  void Read(const char* name, T& out) {
    if (!status_.ok()) return;
    absl::StatusOr<T> value = row_.Get<T>(name);
    if (!value.ok()) {
      status_ = absl::InternalError(
          absl::StrCat("reading user_view.", name, ": ", value.status().message()));
      return;
    }
    out = *std::move(value);
  }

  const absl::Status& status() const { return status_; }

 private:
  const pg::Row& row_;
  absl::Status status_;
};

}  // namespace

absl::StatusOr<User> UserFromRow(const pg::Row& row, absl::Duration delete_retention) {
  User user;
  Reader r(row);
  std::string status;
  r.Read("id", user.id);
  r.Read("email", user.email);
  r.Read("display_name", user.display_name);
  r.Read("status", status);
  r.Read("disabled_reason", user.disabled_reason);
  r.Read("email_verified", user.email_verified);
  r.Read("phone_number", user.phone_number);
  r.Read("locale", user.locale);
  r.Read("time_zone", user.time_zone);
  r.Read("attributes", user.attributes);
  r.Read("version", user.version);
  r.Read("created_at", user.create_time);
  r.Read("updated_at", user.update_time);
  r.Read("deleted_at", user.delete_time);
  r.Read("last_login_at", user.last_login_time);
  r.Read("password_set", user.password_set);
  r.Read("password_change_required", user.password_change_required);
  r.Read("password_changed_at", user.password_change_time);
  r.Read("totp_enabled", user.totp_enabled);
  r.Read("recovery_codes_remaining", user.recovery_codes_remaining);
  if (!r.status().ok()) return r.status();
  absl::StatusOr<UserStatus> parsed = ParseUserStatus(status);
  if (!parsed.ok()) return absl::InternalError("user_view.status holds an unknown value");
  user.status = *parsed;
  if (user.delete_time.has_value()) user.purge_time = *user.delete_time + delete_retention;
  return user;
}

}  // namespace backoffice::users
