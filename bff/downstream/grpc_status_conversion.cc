#include "bff/downstream/grpc_status_conversion.h"

#include <string>
#include <utility>
#include <vector>

#include "bff/http/problem.h"
#include "proto/common/v1/error_details.pb.h"

namespace backoffice::bff::downstream {

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) {
    return absl::OkStatus();
  }
  absl::Status converted(static_cast<absl::StatusCode>(status.error_code()),
                         status.error_message());
  if (status.error_code() != grpc::StatusCode::INVALID_ARGUMENT || status.error_details().empty()) {
    return converted;
  }
  common::v1::Status details;
  if (!details.ParseFromString(status.error_details())) {
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
