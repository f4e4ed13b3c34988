#include "bff/downstream/grpc_status_conversion.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "bff/http/problem.h"
#include "libs/errors/error_details.h"
#include "proto/common/v1/error_details.pb.h"

namespace backoffice::bff::downstream {

std::string JsonFieldPath(std::string_view proto_path) {
  // Paging fields the BFF fills from every list's query parameters.
  static constexpr std::pair<std::string_view, std::string_view> kListParameters[] = {
      {"page.page_token", "cursor"}, {"page.page_size", "limit"}, {"page.offset", "_start"}};
  for (const auto& [path, parameter] : kListParameters) {
    if (proto_path == path) return std::string(parameter);
  }
  for (std::string_view wrapper : {"user.", "role."}) {
    if (proto_path.size() > wrapper.size() && proto_path.substr(0, wrapper.size()) == wrapper) {
      proto_path.remove_prefix(wrapper.size());
      break;
    }
  }
  std::string json;
  json.reserve(proto_path.size());
  for (size_t i = 0; i < proto_path.size(); ++i) {
    const char c = proto_path[i];
    // An underscore between a name's letters or digits joins words: drop it, capitalize the next.
    if (c == '_' && !json.empty() && absl::ascii_isalnum(json.back()) &&
        i + 1 < proto_path.size() && absl::ascii_islower(proto_path[i + 1])) {
      json.push_back(absl::ascii_toupper(proto_path[++i]));
      continue;
    }
    json.push_back(c);
  }
  return json;
}

namespace {

// The field errors of an INVALID_ARGUMENT answer without BadRequest details: the field its
// message starts with ("user.email: must contain @"), if any.
absl::Status WithMessageFieldError(absl::Status converted) {
  std::string_view message(converted.message().data(), converted.message().size());
  std::string_view field = http::FieldOfMessage(message);
  if (field.empty()) return converted;
  std::string text(message.substr(field.size() + 2));
  return http::WithFieldErrors(std::move(converted), {{JsonFieldPath(field), std::move(text)}});
}

}  // namespace

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) {
    return absl::OkStatus();
  }
  absl::Status converted(static_cast<absl::StatusCode>(status.error_code()),
                         status.error_message());
  const bool invalid = status.error_code() == grpc::StatusCode::INVALID_ARGUMENT;
  common::v1::Status details;
  if (status.error_details().empty() || !details.ParseFromString(status.error_details())) {
    return invalid ? WithMessageFieldError(std::move(converted)) : converted;
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
  if (!invalid) {
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
        errors.emplace_back(JsonFieldPath(violation.field()), violation.description());
      }
    }
  }
  if (errors.empty()) {
    return WithMessageFieldError(std::move(converted));
  }
  return http::WithFieldErrors(std::move(converted), errors);
}

}  // namespace backoffice::bff::downstream
