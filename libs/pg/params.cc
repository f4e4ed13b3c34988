#include "libs/pg/params.h"

#include <charconv>
#include <cmath>

namespace backoffice::pg {

Param::Param(double value) : oid_(kFloat8Oid) {
  if (std::isnan(value)) {
    value_ = "NaN";
  } else if (std::isinf(value)) {
    value_ = value > 0 ? "Infinity" : "-Infinity";
  } else {
    // Shortest text that reads back as the same double.
    char buffer[64];
    auto [end, error] = std::to_chars(buffer, buffer + sizeof(buffer), value);
    value_.assign(buffer, end);
  }
}

Param::Param(absl::Time value) : value_(FormatTimestamptz(value)), oid_(kTimestamptzOid) {}

std::string FormatTimestamptz(absl::Time time) {
  if (time == absl::InfiniteFuture()) {
    return "infinity";
  }
  if (time == absl::InfinitePast()) {
    return "-infinity";
  }
  return absl::FormatTime("%Y-%m-%d%ET%H:%M:%E*S%Ez", time, absl::UTCTimeZone());
}

}  // namespace backoffice::pg
