#include "bff/http/problem.h"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

namespace backoffice::bff::http {
namespace {

namespace json = boost::json;

HttpRequest Request() {
  HttpRequest request;
  request.path = "/api/users/42";
  request.request_id = "req-1";
  return request;
}

TEST_CASE("status codes map to HTTP statuses per DESIGN.md", "[problem]") {
  struct Row {
    absl::StatusCode code;
    int status;
  };
  const Row rows[] = {
      {absl::StatusCode::kInvalidArgument, 400},    {absl::StatusCode::kUnauthenticated, 401},
      {absl::StatusCode::kPermissionDenied, 403},   {absl::StatusCode::kNotFound, 404},
      {absl::StatusCode::kAlreadyExists, 409},      {absl::StatusCode::kAborted, 409},
      {absl::StatusCode::kFailedPrecondition, 409}, {absl::StatusCode::kResourceExhausted, 429},
      {absl::StatusCode::kUnavailable, 503},        {absl::StatusCode::kDeadlineExceeded, 504},
      {absl::StatusCode::kInternal, 500},           {absl::StatusCode::kUnknown, 500},
      {absl::StatusCode::kDataLoss, 500},           {absl::StatusCode::kUnimplemented, 500},
      {absl::StatusCode::kCancelled, 500},
  };
  for (const Row& row : rows) {
    INFO(absl::StatusCodeToString(row.code));
    absl::Status status(row.code, "secret host db-7.internal:5432 said no");
    HttpResponse response = ProblemResponse(Request(), status);
    CHECK(response.status == row.status);
    CHECK(response.headers.Get("Content-Type") == "application/problem+json");
    json::value body = json::parse(response.body);
    CHECK(body.at("status").as_int64() == row.status);
    CHECK(body.at("type").as_string() == "about:blank");
    CHECK(body.at("title").as_string() == std::string(ReasonPhrase(row.status)));
    CHECK(body.at("instance").as_string() == "/api/users/42");
    CHECK(body.at("request_id").as_string() == "req-1");
    std::string detail(body.at("detail").as_string());
    if (row.status >= 500) {
      // Internals never leak on server-side failures.
      CHECK(detail.find("db-7") == std::string::npos);
    } else {
      CHECK(detail == "secret host db-7.internal:5432 said no");
    }
  }
}

TEST_CASE("INVALID_ARGUMENT carries field errors", "[problem]") {
  SECTION("from a '<field>: <message>' message") {
    Problem problem = ProblemFromStatus(absl::InvalidArgumentError("email: must be an address"));
    CHECK(problem.status == 400);
    REQUIRE(problem.errors.size() == 1);
    CHECK(problem.errors[0] == std::pair<std::string, std::string>("email", "must be an address"));
    json::value body = json::parse(ProblemResponse(Request(), problem).body);
    CHECK(body.at("errors").at("email").as_string() == "must be an address");
  }
  SECTION("from attached field errors, which win over the message") {
    absl::Status status = WithFieldErrors(absl::InvalidArgumentError("two problems"),
                                          {{"email", "is taken"}, {"display_name", "too long"}});
    json::value body = json::parse(ProblemResponse(Request(), status).body);
    CHECK(body.at("errors").as_object().size() == 2);
    CHECK(body.at("errors").at("display_name").as_string() == "too long");
    CHECK(body.at("detail").as_string() == "two problems");
  }
  SECTION("a message without a field path has no errors member") {
    json::value body =
        json::parse(ProblemResponse(Request(), absl::InvalidArgumentError("Bad thing")).body);
    CHECK_FALSE(body.as_object().contains("errors"));
  }
  SECTION("field paths") {
    CHECK(FieldOfMessage("user.email: bad") == "user.email");
    CHECK(FieldOfMessage("events[3].action: bad") == "events[3].action");
    CHECK(FieldOfMessage("Email: bad") == "");
    CHECK(FieldOfMessage("no colon") == "");
    CHECK(FieldOfMessage("a b: c") == "");
  }
}

TEST_CASE("problem headers and titles", "[problem]") {
  Problem problem = MakeProblem(429, "slow down");
  problem.headers.emplace_back("Retry-After", "3");
  HttpResponse response = ProblemResponse(Request(), problem);
  CHECK(response.headers.Get("Retry-After") == "3");
  CHECK(response.headers.Get("Cache-Control") == "no-store");
  CHECK(json::parse(response.body).at("title").as_string() == "Too Many Requests");
  CHECK(ProblemFromStatus(absl::OkStatus()).status == 500);
}

}  // namespace
}  // namespace backoffice::bff::http
