#pragma once

#include <grpcpp/support/status.h>

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace backoffice::bff::downstream {

/// Converts a service's gRPC status into an absl::Status with the same code and message. For
/// INVALID_ARGUMENT the field violations of a `backoffice.common.v1.BadRequest` in the
/// `grpc-status-details-bin` trailer, or else the field a "<field>: ..." message starts with,
/// ride along as field errors (http::WithFieldErrors) named by JsonFieldPath, so
/// http::ProblemFromStatus renders them as `errors: {field: message}` with the names the JSON
/// bodies use (react-admin puts each message beside the form input of that name).
absl::Status FromGrpcStatus(const grpc::Status& status);

/// The JSON name of a field a service names by its proto path: the REST bodies are the resource
/// itself (the request's `user` or `role` member), so that leading segment goes, and each name
/// becomes its proto3 JSON (lowerCamelCase) form: "user.display_name" → "displayName",
/// "role.permissions[1]" → "permissions[1]", "expire_time" → "expireTime"; the paging fields a
/// list fills from its query are named by their parameter ("page.page_token" → "cursor").
std::string JsonFieldPath(std::string_view proto_path);

}  // namespace backoffice::bff::downstream
