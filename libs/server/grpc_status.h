#pragma once

#include <grpcpp/support/status.h>

#include <string_view>

#include "absl/status/status.h"

namespace backoffice::server {

/// Converts a domain absl::Status into the gRPC status a service returns; the one place where
/// that happens. The code maps one to one. Messages pass through, except:
///  - INTERNAL, UNKNOWN and DATA_LOSS: the real message is logged (with the call's request id
///    from the log context) and the caller gets only "internal error (request id ...)";
///  - INVALID_ARGUMENT whose message reads "<field path>: <what is wrong>" (the platform's
///    convention, see proto/common/v1/error_details.proto) also carries a BadRequest field
///    violation in the `grpc-status-details-bin` trailer, so the BFF can show it beside the field;
///  - a reason or retry delay attached with libs/errors becomes ErrorInfo / RetryInfo details.
/// `domain` names the service ("users", ...) for ErrorInfo details.
grpc::Status ToGrpcStatus(const absl::Status& status, std::string_view domain,
                          std::string_view request_id);

/// The field path of an INVALID_ARGUMENT message in the "<field>: <description>" convention, or
/// "" when the message does not follow it.
std::string_view FieldOfMessage(std::string_view message);

}  // namespace backoffice::server
