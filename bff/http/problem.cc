#include "bff/http/problem.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "libs/errors/error_details.h"

namespace backoffice::bff::http {
namespace {

namespace json = boost::json;

constexpr char kFieldErrorsPayloadUrl[] = "urn:backoffice:bff:field-errors";

std::string_view ToStd(absl::string_view text) { return {text.data(), text.size()}; }

bool IsFieldPathCharacter(char c) {
  return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '_' || c == '.' || c == '[' ||
         c == ']';
}

// Fixed texts for answers whose real cause must not leak (hosts, SQL, stack traces).
std::string_view ServerSideDetail(int status) {
  switch (status) {
    case 503:
      return "A service this request needs is unavailable; try again later.";
    case 504:
      return "A service this request needs did not answer in time; try again later.";
    default:
      return "Internal error; quote the request id when reporting it.";
  }
}

}  // namespace

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 416:
      return "Range Not Satisfiable";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Unknown";
  }
}

Problem MakeProblem(int status, std::string detail) {
  Problem problem;
  problem.status = status;
  problem.title = std::string(ReasonPhrase(status));
  problem.detail = std::move(detail);
  return problem;
}

Problem ValidationProblem(std::string field, std::string message) {
  Problem problem = MakeProblem(400, field + ": " + message);
  problem.errors.emplace_back(std::move(field), std::move(message));
  return problem;
}

HttpResponse ProblemResponse(const HttpRequest& request, const Problem& problem) {
  json::object body;
  body["type"] = problem.type;
  body["title"] = problem.title.empty() ? std::string(ReasonPhrase(problem.status)) : problem.title;
  body["status"] = problem.status;
  if (!problem.detail.empty()) {
    body["detail"] = problem.detail;
    // An extension member (RFC 9457 allows them): admin data providers show `message`
    // (react-admin's fetchJson builds its HttpError from it, refine's simple-rest copies it).
    body["message"] = problem.detail;
  }
  body["instance"] = request.path;
  body["request_id"] = request.request_id;
  if (!problem.errors.empty()) {
    json::object errors;
    for (const auto& [field, message] : problem.errors) {
      if (!errors.contains(field)) {
        errors[field] = message;
      }
    }
    body["errors"] = std::move(errors);
  }
  HttpResponse response;
  response.status = problem.status;
  response.headers.Set("Content-Type", kProblemContentType);
  response.headers.Set("Cache-Control", "no-store");
  for (const auto& [name, value] : problem.headers) {
    response.headers.Set(name, value);
  }
  response.body = json::serialize(body);
  return response;
}

int HttpStatusFor(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kFailedPrecondition:
      return 409;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kUnavailable:
      return 503;
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    default:
      return 500;
  }
}

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

Problem ProblemFromStatus(const absl::Status& status) {
  int http_status = HttpStatusFor(status.code());
  if (http_status >= 500) {
    return MakeProblem(http_status, std::string(ServerSideDetail(http_status)));
  }
  std::string message(ToStd(status.message()));
  Problem problem = MakeProblem(http_status, message);
  if (std::optional<absl::Duration> retry = errors::RetryAfterOf(status); retry.has_value()) {
    int64_t seconds = absl::ToInt64Seconds(absl::Ceil(*retry, absl::Seconds(1)));
    problem.headers.emplace_back("Retry-After", std::to_string(std::max<int64_t>(1, seconds)));
  }
  if (http_status == 400) {
    problem.errors = FieldErrorsOf(status);
    if (problem.errors.empty()) {
      if (std::string_view field = FieldOfMessage(message); !field.empty()) {
        problem.errors.emplace_back(std::string(field), message.substr(field.size() + 2));
      }
    }
  }
  return problem;
}

HttpResponse ProblemResponse(const HttpRequest& request, const absl::Status& status) {
  return ProblemResponse(request, ProblemFromStatus(status));
}

absl::Status WithFieldErrors(absl::Status status,
                             const std::vector<std::pair<std::string, std::string>>& errors) {
  json::array list;
  for (const auto& [field, message] : errors) {
    list.push_back(json::array{json::string(field), json::string(message)});
  }
  status.SetPayload(kFieldErrorsPayloadUrl, absl::Cord(json::serialize(list)));
  return status;
}

std::vector<std::pair<std::string, std::string>> FieldErrorsOf(const absl::Status& status) {
  std::vector<std::pair<std::string, std::string>> errors;
  absl::optional<absl::Cord> payload = status.GetPayload(kFieldErrorsPayloadUrl);
  if (!payload.has_value()) {
    return errors;
  }
  json::error_code error;
  json::value parsed = json::parse(std::string(*payload), error);
  if (error || !parsed.is_array()) {
    return errors;
  }
  for (const json::value& item : parsed.get_array()) {
    const json::array* pair = item.if_array();
    if (pair == nullptr || pair->size() != 2 || !(*pair)[0].is_string() ||
        !(*pair)[1].is_string()) {
      continue;
    }
    errors.emplace_back(std::string((*pair)[0].get_string()), std::string((*pair)[1].get_string()));
  }
  return errors;
}

}  // namespace backoffice::bff::http
