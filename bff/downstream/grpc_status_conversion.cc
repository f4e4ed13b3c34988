#include "bff/downstream/grpc_status_conversion.h"

#include <string>
#include <utility>
#include <vector>

#include "bff/http/problem.h"
#include "libs/errors/error_details.h"
#include "proto/common/v1/error_details.pb.h"

namespace backoffice::bff::downstream {

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) {
    return absl::OkStatus();
  }
  absl::Status converted(static_cast<absl::StatusCode>(status.error_code()),
                         status.error_message());
  if (status.error_details().empty()) {
    return converted;
  }
  common::v1::Status details;
  if (!details.ParseFromString(status.error_details())) {
    return converted;
  }
  // ErrorInfo and RetryInfo become libs/errors payloads (ProblemFromStatus turns the delay into
  // Retry-After; routes read the reason, e.g. REFRESH_TOKEN_REUSED).
  for (const google::protobuf::Any& any : details.details()) {
    common::v1::ErrorInfo info;
    common::v1::RetryInfo retry;
    if (any.Is<common::v1::ErrorInfo>() && any.UnpackTo(&info) && !info.reason().empty()) {
      converted = errors::WithErrorReason(std::move(converted), info.reason());
    } else if (any.Is<common::v1::RetryInfo>() && any.UnpackTo(&retry)) {
      converted = errors::WithRetryAfter(std::move(converted),
                                         absl::Seconds(retry.retry_delay().seconds()) +
                                             absl::Nanoseconds(retry.retry_delay().nanos()));
    }
  }
  if (status.error_code() != grpc::StatusCode::INVALID_ARGUMENT) {
    return converted;
  }
  std::vector<std::pair<std::string, std::string>> errors;
  for (const google::protobuf::Any& any : details.details()) {
    common::v1::BadRequest bad_request;
    if (!any.Is<common::v1::BadRequest>() || !any.UnpackTo(&bad_request)) {
      continue;
    }
    for (const auto& violation : bad_request.field_violations()) {
      if (!violation.field().empty()) {
        errors.emplace_back(violation.field(), violation.description());
      }
    }
  }
  if (errors.empty()) {
    return converted;
  }
  return http::WithFieldErrors(std::move(converted), errors);
}

}  // namespace backoffice::bff::downstream
