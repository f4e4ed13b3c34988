#include "services/users/store/page_token.h"

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "boost/json/parse.hpp"
#include "boost/json/serialize.hpp"
#include "boost/json/value.hpp"
#include "libs/ids/uuid.h"
#include "services/users/store/list_users.h"

namespace backoffice::users {
namespace {

constexpr int kTokenVersion = 1;

absl::Status Malformed() {
  return absl::InvalidArgumentError("page.page_token: malformed; use a next_page_token as issued");
}

}  // namespace

std::string EncodePageToken(const PagePosition& position, std::string_view binding,
                            absl::Time expires_at, const PageTotal& total) {
  boost::json::array values;
  for (const SortValue& value : position.values) {
    if (const absl::Time* time = std::get_if<absl::Time>(&value)) {
      if (*time == absl::InfinitePast()) {
        values.emplace_back(nullptr);
      } else {
        values.emplace_back(absl::ToUnixMicros(*time));
      }
    } else {
      const std::string& text = std::get<std::string>(value);
      values.emplace_back(boost::json::string_view(text.data(), text.size()));
    }
  }
  boost::json::object token;
  token["v"] = kTokenVersion;
  token["b"] = boost::json::string_view(binding.data(), binding.size());
  token["x"] = absl::ToUnixSeconds(expires_at);
  token["k"] = std::move(values);
  token["i"] = boost::json::string_view(position.id.data(), position.id.size());
  if (total.size >= 0) {
    token["t"] = total.size;
    token["te"] = total.estimate;
  }
  std::string json = boost::json::serialize(token);
  std::string encoded;
  absl::WebSafeBase64Escape(json, &encoded);
  return encoded;
}

absl::StatusOr<PagePosition> DecodePageToken(std::string_view token, std::string_view binding,
                                             const std::vector<bool>& kinds, absl::Time now,
                                             PageTotal* total) {
  if (token.size() > static_cast<size_t>(kMaxPageTokenBytes)) {
    return absl::InvalidArgumentError("page.page_token: too long");
  }
  std::string json;
  if (!absl::WebSafeBase64Unescape(absl::string_view(token.data(), token.size()), &json)) {
    return Malformed();
  }
  boost::system::error_code error;
  boost::json::value parsed = boost::json::parse(json, error);
  if (error || !parsed.is_object()) return Malformed();
  const boost::json::object& object = parsed.as_object();
  const boost::json::value* version = object.if_contains("v");
  const boost::json::value* bound = object.if_contains("b");
  const boost::json::value* expiry = object.if_contains("x");
  const boost::json::value* values = object.if_contains("k");
  const boost::json::value* id = object.if_contains("i");
  const boost::json::value* total_size = object.if_contains("t");
  const boost::json::value* total_estimate = object.if_contains("te");
  if (version == nullptr || !version->is_int64() || version->as_int64() != kTokenVersion) {
    return Malformed();
  }
  if (bound == nullptr || !bound->is_string() || expiry == nullptr || !expiry->is_int64() ||
      values == nullptr || !values->is_array() || id == nullptr || !id->is_string()) {
    return Malformed();
  }
  if ((total_size != nullptr && (!total_size->is_int64() || total_size->as_int64() < 0)) ||
      (total_estimate != nullptr && !total_estimate->is_bool()) ||
      ((total_size == nullptr) != (total_estimate == nullptr))) {
    return Malformed();
  }
  if (std::string_view(bound->as_string()) != binding) {
    return absl::InvalidArgumentError(
        "page.page_token: issued for other filters or sort; send the same query, statuses, "
        "create_time, ids and order_by as the first page");
  }
  if (absl::FromUnixSeconds(expiry->as_int64()) <= now) {
    return absl::InvalidArgumentError("page.page_token: expired; start again from the first page");
  }
  absl::StatusOr<ids::Uuid> uuid = ids::ParseUuid(std::string_view(id->as_string()));
  if (!uuid.ok()) return Malformed();
  const boost::json::array& array = values->as_array();
  if (array.size() != kinds.size()) return Malformed();
  PagePosition position;
  position.id = uuid->ToString();
  for (size_t i = 0; i < array.size(); ++i) {
    const boost::json::value& value = array[i];
    if (kinds[i]) {
      if (value.is_null()) {
        position.values.emplace_back(absl::InfinitePast());
      } else if (value.is_int64()) {
        position.values.emplace_back(absl::FromUnixMicros(value.as_int64()));
      } else {
        return Malformed();
      }
    } else {
      if (!value.is_string()) return Malformed();
      position.values.emplace_back(std::string(value.as_string()));
    }
  }
  if (total != nullptr) {
    *total = total_size == nullptr ? PageTotal{}
                                   : PageTotal{total_size->as_int64(), total_estimate->as_bool()};
  }
  return position;
}

}  // namespace backoffice::users
