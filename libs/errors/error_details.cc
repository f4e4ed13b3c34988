#include "libs/errors/error_details.h"

#include <cmath>
#include <cstdint>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"

namespace backoffice::errors {
namespace {

constexpr char kReasonPayload[] = "type.backoffice/ErrorReason";
constexpr char kRetryPayload[] = "type.backoffice/RetryAfterSeconds";

}  // namespace

absl::Status WithErrorReason(absl::Status status, std::string_view reason) {
  status.SetPayload(kReasonPayload, absl::Cord(absl::string_view(reason.data(), reason.size())));
  return status;
}

std::string ErrorReasonOf(const absl::Status& status) {
  auto payload = status.GetPayload(kReasonPayload);
  return payload ? std::string(*payload) : std::string();
}

absl::Status WithRetryAfter(absl::Status status, absl::Duration retry_after) {
  const int64_t seconds = static_cast<int64_t>(std::ceil(absl::ToDoubleSeconds(retry_after)));
  status.SetPayload(kRetryPayload, absl::Cord(std::to_string(seconds < 0 ? 0 : seconds)));
  return status;
}

std::optional<absl::Duration> RetryAfterOf(const absl::Status& status) {
  auto payload = status.GetPayload(kRetryPayload);
  int64_t seconds = 0;
  if (!payload || !absl::SimpleAtoi(std::string(*payload), &seconds)) {
    return std::nullopt;
  }
  return absl::Seconds(seconds);
}

}  // namespace backoffice::errors
