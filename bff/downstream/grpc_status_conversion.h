#pragma once

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace backoffice::bff::downstream {

/// Converts a service's gRPC status into an absl::Status with the same code and message. For
/// INVALID_ARGUMENT the field violations of a `backoffice.common.v1.BadRequest` in the
/// `grpc-status-details-bin` trailer ride along as field errors (http::WithFieldErrors), so
/// http::ProblemFromStatus renders them as `errors: {field: message}`.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace backoffice::bff::downstream
