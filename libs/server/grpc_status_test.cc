#include "libs/server/grpc_status.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "libs/errors/error_details.h"
#include "libs/log/log.h"
#include "proto/common/v1/error_details.pb.h"

namespace backoffice::server {
namespace {

TEST_CASE("codes map one to one and messages pass through") {
  grpc::Status ok = ToGrpcStatus(absl::OkStatus(), "users", "r1");
  CHECK(ok.ok());
  grpc::Status missing = ToGrpcStatus(absl::NotFoundError("user 42 not found"), "users", "r1");
  CHECK(missing.error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(missing.error_message() == "user 42 not found");
  CHECK(missing.error_details().empty());
  CHECK(ToGrpcStatus(absl::AbortedError("x"), "users", "r").error_code() ==
        grpc::StatusCode::ABORTED);
  CHECK(ToGrpcStatus(absl::UnauthenticatedError("x"), "users", "r").error_code() ==
        grpc::StatusCode::UNAUTHENTICATED);
}

TEST_CASE("internal errors are logged and hidden from the caller") {
  std::vector<std::string> lines;
  log::SetSinkForTesting([&](std::string_view line) { lines.emplace_back(line); });
  grpc::Status hidden = ToGrpcStatus(
      absl::InternalError("relation users.secret_table does not exist"), "users", "req-7");
  log::SetSinkForTesting(nullptr);
  CHECK(hidden.error_code() == grpc::StatusCode::INTERNAL);
  CHECK(hidden.error_message() == "internal error (request id req-7)");
  REQUIRE(lines.size() == 1);
  CHECK_THAT(lines[0], Catch::Contains("secret_table"));
}

TEST_CASE("invalid arguments carry a field violation when the message names the field") {
  grpc::Status invalid =
      ToGrpcStatus(absl::InvalidArgumentError("user.email: must be a valid address"), "users", "r");
  CHECK(invalid.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(invalid.error_message() == "user.email: must be a valid address");
  common::v1::Status details;
  REQUIRE(details.ParseFromString(invalid.error_details()));
  CHECK(details.code() == 3);
  REQUIRE(details.details_size() == 2);
  common::v1::BadRequest bad_request;
  REQUIRE(details.details(0).UnpackTo(&bad_request));
  REQUIRE(bad_request.field_violations_size() == 1);
  CHECK(bad_request.field_violations(0).field() == "user.email");
  CHECK(bad_request.field_violations(0).description() == "must be a valid address");
  common::v1::ErrorInfo info;
  REQUIRE(details.details(1).UnpackTo(&info));
  CHECK(info.domain() == "users");
}

TEST_CASE("attached reasons and retry delays become ErrorInfo and RetryInfo") {
  absl::Status locked = errors::WithRetryAfter(
      errors::WithErrorReason(absl::ResourceExhaustedError("account is locked"), "ACCOUNT_LOCKED"),
      absl::Seconds(90));
  grpc::Status status = ToGrpcStatus(locked, "users", "r");
  CHECK(status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  common::v1::Status details;
  REQUIRE(details.ParseFromString(status.error_details()));
  REQUIRE(details.details_size() == 2);
  common::v1::ErrorInfo info;
  REQUIRE(details.details(0).UnpackTo(&info));
  CHECK(info.reason() == "ACCOUNT_LOCKED");
  CHECK(info.domain() == "users");
  common::v1::RetryInfo retry;
  REQUIRE(details.details(1).UnpackTo(&retry));
  CHECK(retry.retry_delay().seconds() == 90);
}

TEST_CASE("FieldOfMessage accepts field paths only") {
  CHECK(FieldOfMessage("events[3].action: required") == "events[3].action");
  CHECK(FieldOfMessage("page_size: must be at most 500") == "page_size");
  CHECK(FieldOfMessage("Something went wrong: badly") == "");
  CHECK(FieldOfMessage("two words: here") == "");
  CHECK(FieldOfMessage("no separator") == "");
  CHECK(FieldOfMessage("field: ") == "");
  CHECK(FieldOfMessage(": nothing") == "");
}

}  // namespace
}  // namespace backoffice::server
