// RFC 3339 timestamps in the BFF's JSON (UTC, `null` when unset), shared by every record mapping.
#pragma once

#include <boost/json/value.hpp>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace backoffice::bff::app {

/// A timestamp as RFC 3339 UTC text, or null when unset.
boost::json::value TimestampJson(const google::protobuf::Timestamp& timestamp, bool present);

/// RFC 3339 text (any offset) as a timestamp; INVALID_ARGUMENT (no field named) otherwise.
absl::StatusOr<google::protobuf::Timestamp> ParseTimestamp(std::string_view text);

/// `time` as a protobuf timestamp.
google::protobuf::Timestamp ToTimestamp(absl::Time time);

/// A list filter's time bound: RFC 3339, or a date (midnight UTC). With `inclusive_end` (a `_lte`
/// filter) the bound becomes the exclusive end of a half-open range: a time moves on by 1 µs (the
/// services' precision), a date to the next midnight, so `createTime_lte=2024-01-31` includes that
/// whole day. INVALID_ARGUMENT (no field named) for anything else.
absl::StatusOr<absl::Time> ParseFilterTime(const std::string& text, bool inclusive_end);

}  // namespace backoffice::bff::app
