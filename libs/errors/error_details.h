#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace backoffice::errors {

/// Machine-readable facts attached to a domain absl::Status as payloads. They travel with the
/// status through the domain code; at the gRPC edge libs/server/grpc_status.h turns them into
/// ErrorInfo and RetryInfo details (proto/common/v1/error_details.proto), and the BFF into
/// problem fields and Retry-After.
///
///   return WithRetryAfter(WithErrorReason(absl::ResourceExhaustedError("account is locked"),
///                                         "ACCOUNT_LOCKED"),
///                         absl::Minutes(15));

/// `status` with an UPPER_SNAKE_CASE reason (ErrorInfo.reason) attached.
absl::Status WithErrorReason(absl::Status status, std::string_view reason);
/// The reason attached by WithErrorReason, or "".
std::string ErrorReasonOf(const absl::Status& status);

/// `status` with a retry delay (RetryInfo.retry_delay) attached, rounded up to whole seconds.
absl::Status WithRetryAfter(absl::Status status, absl::Duration retry_after);
/// The delay attached by WithRetryAfter, or nullopt.
std::optional<absl::Duration> RetryAfterOf(const absl::Status& status);

}  // namespace backoffice::errors
