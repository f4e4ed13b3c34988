#include "bff/app/json_time.h"

#include <boost/json/string.hpp>
#include <string>

#include "absl/time/time.h"

namespace backoffice::bff::app {

namespace json = boost::json;

json::value TimestampJson(const google::protobuf::Timestamp& timestamp, bool present) {
  if (!present) {
    return nullptr;
  }
  absl::Time time =
      absl::FromUnixSeconds(timestamp.seconds()) + absl::Nanoseconds(timestamp.nanos());
  return json::string(absl::FormatTime(absl::RFC3339_full, time, absl::UTCTimeZone()));
}

absl::StatusOr<google::protobuf::Timestamp> ParseTimestamp(std::string_view text) {
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, std::string(text), &time, &error)) {
    return absl::InvalidArgumentError("must be an RFC 3339 time (2030-01-31T12:00:00Z)");
  }
  return ToTimestamp(time);
}

google::protobuf::Timestamp ToTimestamp(absl::Time time) {
  google::protobuf::Timestamp out;
  int64_t seconds = absl::ToUnixSeconds(time);
  out.set_seconds(seconds);
  out.set_nanos(
      static_cast<int32_t>(absl::ToInt64Nanoseconds(time - absl::FromUnixSeconds(seconds))));
  return out;
}

absl::StatusOr<absl::Time> ParseFilterTime(const std::string& text, bool inclusive_end) {
  absl::Time time;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, text, &time, &error)) {
    return inclusive_end ? time + absl::Microseconds(1) : time;
  }
  if (absl::ParseTime("%Y-%m-%d", text, absl::UTCTimeZone(), &time, &error)) {
    return inclusive_end ? time + absl::Hours(24) : time;
  }
  return absl::InvalidArgumentError("must be an RFC 3339 time or a YYYY-MM-DD date");
}

}  // namespace backoffice::bff::app
