#include "libs/errors/error_details.h"

#include <catch2/catch.hpp>

namespace backoffice::errors {
namespace {

TEST_CASE("reasons and retry delays travel with a status") {
  absl::Status status = WithRetryAfter(
      WithErrorReason(absl::ResourceExhaustedError("account is locked"), "ACCOUNT_LOCKED"),
      absl::Milliseconds(1500));
  CHECK(status.code() == absl::StatusCode::kResourceExhausted);
  CHECK(status.message() == "account is locked");
  CHECK(ErrorReasonOf(status) == "ACCOUNT_LOCKED");
  CHECK(RetryAfterOf(status) == absl::Seconds(2));  // rounded up
}

TEST_CASE("a plain status has neither") {
  absl::Status status = absl::NotFoundError("nope");
  CHECK(ErrorReasonOf(status).empty());
  CHECK_FALSE(RetryAfterOf(status).has_value());
  CHECK(RetryAfterOf(WithRetryAfter(absl::UnavailableError("x"), -absl::Seconds(3))) ==
        absl::ZeroDuration());
}

}  // namespace
}  // namespace backoffice::errors
