#include "libs/server/grpc_status.h"

#include <string>

#include "absl/strings/ascii.h"
#include "libs/errors/error_details.h"
#include "libs/log/log.h"
#include "proto/common/v1/error_details.pb.h"

namespace backoffice::server {
namespace {

// Debian's Abseil is built with its own string_view type, distinct from std::string_view.
std::string_view ToStd(absl::string_view text) {
  return std::string_view(text.data(), text.size());
}

bool IsFieldPathCharacter(char c) {
  return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '_' || c == '.' || c == '[' ||
         c == ']';
}

// The grpc-status-details-bin payload for `status`: a field violation when the message names a
// field, ErrorInfo when a reason is attached, RetryInfo when a retry delay is. Empty when there
// is nothing structured to add.
std::string Details(const absl::Status& status, std::string_view domain) {
  common::v1::Status details;
  std::string_view message = ToStd(status.message());
  std::string reason = errors::ErrorReasonOf(status);
  if (status.code() == absl::StatusCode::kInvalidArgument) {
    if (std::string_view field = FieldOfMessage(message); !field.empty()) {
      common::v1::BadRequest bad_request;
      common::v1::BadRequest::FieldViolation* violation = bad_request.add_field_violations();
      violation->set_field(std::string(field));
      violation->set_description(std::string(message.substr(field.size() + 2)));
      violation->set_reason("BAD_FORMAT");
      details.add_details()->PackFrom(bad_request);
      if (reason.empty()) {
        reason = "INVALID_FIELD";
      }
    }
  }
  if (!reason.empty()) {
    common::v1::ErrorInfo info;
    info.set_reason(reason);
    info.set_domain(std::string(domain));
    details.add_details()->PackFrom(info);
  }
  if (std::optional<absl::Duration> retry_after = errors::RetryAfterOf(status)) {
    common::v1::RetryInfo retry;
    retry.mutable_retry_delay()->set_seconds(absl::ToInt64Seconds(*retry_after));
    details.add_details()->PackFrom(retry);
  }
  if (details.details_size() == 0) {
    return "";
  }
  details.set_code(static_cast<int>(status.code()));
  details.set_message(std::string(message));
  return details.SerializeAsString();
}

}  // namespace

std::string_view FieldOfMessage(std::string_view message) {
  size_t colon = message.find(": ");
  if (colon == std::string_view::npos || colon == 0 || colon + 2 >= message.size()) {
    return "";
  }
  std::string_view field = message.substr(0, colon);
  if (!absl::ascii_islower(field.front())) {
    return "";
  }
  for (char c : field) {
    if (!IsFieldPathCharacter(c)) {
      return "";
    }
  }
  return field;
}

grpc::Status ToGrpcStatus(const absl::Status& status, std::string_view domain,
                          std::string_view request_id) {
  if (status.ok()) {
    return grpc::Status::OK;
  }
  auto code = static_cast<grpc::StatusCode>(status.code());
  switch (status.code()) {
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kDataLoss:
      log::Error("internal error", {{"detail", status.message()}, {"domain", domain}});
      return grpc::Status(code, "internal error (request id " + std::string(request_id) + ")");
    default:
      return grpc::Status(code, std::string(status.message()), Details(status, domain));
  }
}

}  // namespace backoffice::server
