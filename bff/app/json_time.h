// RFC 3339 timestamps in the BFF's JSON (UTC, `null` when unset), shared by every record mapping.
#pragma once

#include <boost/json/value.hpp>
#include <string_view>

#include "absl/status/statusor.h"
#include "google/protobuf/timestamp.pb.h"

namespace backoffice::bff::app {

/// A timestamp as RFC 3339 UTC text, or null when unset.
boost::json::value TimestampJson(const google::protobuf::Timestamp& timestamp, bool present);

/// RFC 3339 text (any offset) as a timestamp; INVALID_ARGUMENT (no field named) otherwise.
absl::StatusOr<google::protobuf::Timestamp> ParseTimestamp(std::string_view text);

}  // namespace backoffice::bff::app
