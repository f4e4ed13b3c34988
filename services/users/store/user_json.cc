#include "services/users/store/user_json.h"

#include <optional>
#include <string>

#include "absl/time/time.h"
#include "boost/json/parse.hpp"
#include "boost/json/serialize.hpp"
#include "boost/json/value.hpp"

namespace backoffice::users {
namespace {

boost::json::value Time(const std::optional<absl::Time>& time) {
  if (!time.has_value()) return nullptr;
  std::string text = absl::FormatTime(absl::RFC3339_full, *time, absl::UTCTimeZone());
  return boost::json::string(text);
}

boost::json::string_view View(const std::string& text) { return {text.data(), text.size()}; }

}  // namespace

std::string UserToJson(const User& user) {
  boost::system::error_code error;
  boost::json::value attributes = boost::json::parse(View(user.attributes), error);
  if (error || !attributes.is_object()) attributes = boost::json::object();
  boost::json::object json;
  json["id"] = View(user.id);
  json["email"] = View(user.email);
  json["display_name"] = View(user.display_name);
  json["status"] = boost::json::string_view(UserStatusName(user.status).data(),
                                            UserStatusName(user.status).size());
  json["email_verified"] = user.email_verified;
  json["phone_number"] = View(user.phone_number);
  json["locale"] = View(user.locale);
  json["time_zone"] = View(user.time_zone);
  json["attributes"] = std::move(attributes);
  json["password_set"] = user.password_set;
  json["password_change_required"] = user.password_change_required;
  json["totp_enabled"] = user.totp_enabled;
  json["disabled_reason"] = View(user.disabled_reason);
  json["version"] = user.version;
  json["create_time"] = Time(user.create_time);
  json["update_time"] = Time(user.update_time);
  json["delete_time"] = Time(user.delete_time);
  json["last_login_time"] = Time(user.last_login_time);
  json["password_change_time"] = Time(user.password_change_time);
  return boost::json::serialize(json);
}

}  // namespace backoffice::users
