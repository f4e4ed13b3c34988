#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "bff/http/http_request.h"
#include "bff/http/http_response.h"

namespace backoffice::bff::http {

/// An RFC 9457 problem, before it is rendered. `errors` holds field validation messages and is
/// rendered as `"errors": {"<field>": "<message>"}`, the shape react-admin shows beside form
/// fields. `headers` go on the response (Retry-After, Allow, ...).
struct Problem {
  int status = 500;
  std::string type = "about:blank";
  /// Defaults to the status's reason phrase when empty.
  std::string title;
  std::string detail;
  std::vector<std::pair<std::string, std::string>> errors;
  std::vector<std::pair<std::string, std::string>> headers;
};

/// A problem with this status, its reason phrase as title, and `detail`.
Problem MakeProblem(int status, std::string detail = "");

/// A 400 validation problem with one field error ("name": "must be a string").
Problem ValidationProblem(std::string field, std::string message);

/// Renders `problem` as application/problem+json, with `instance` set to the request's path and
/// `request_id` to its id.
HttpResponse ProblemResponse(const HttpRequest& request, const Problem& problem);

/// Maps a domain or downstream status to a problem (DESIGN.md, "Errors"):
/// INVALID_ARGUMENT→400 (field errors from the FieldErrors payload, else from a "<field>:
/// <message>" message), UNAUTHENTICATED→401, PERMISSION_DENIED→403, NOT_FOUND→404,
/// ALREADY_EXISTS/ABORTED/FAILED_PRECONDITION→409, RESOURCE_EXHAUSTED→429, UNAVAILABLE→503,
/// DEADLINE_EXCEEDED→504, anything else→500. A retry delay attached with libs/errors'
/// WithRetryAfter (FromGrpcStatus attaches RetryInfo's) becomes Retry-After in whole seconds. 4xx
/// problems carry the status message as `detail` (service messages are written for callers); 5xx
/// problems carry a fixed text and never the message, which may name hosts or internals. OK maps to
/// 500: it is a caller bug.
Problem ProblemFromStatus(const absl::Status& status);

/// Shortcut: ProblemResponse(request, ProblemFromStatus(status)).
HttpResponse ProblemResponse(const HttpRequest& request, const absl::Status& status);

/// The HTTP status ProblemFromStatus uses for `code`.
int HttpStatusFor(absl::StatusCode code);

/// The reason phrase of an HTTP status ("Not Found"), or "Unknown".
std::string_view ReasonPhrase(int status);

/// Attaches field errors to an INVALID_ARGUMENT status (as a payload that ProblemFromStatus reads).
absl::Status WithFieldErrors(absl::Status status,
                             const std::vector<std::pair<std::string, std::string>>& errors);

/// The field errors attached with WithFieldErrors, in order; empty when there are none.
std::vector<std::pair<std::string, std::string>> FieldErrorsOf(const absl::Status& status);

/// The field path of a message in the platform's "<field>: <message>" convention (lower-case
/// start, [a-z0-9_.[\]] only), or "" when it does not follow it.
std::string_view FieldOfMessage(std::string_view message);

}  // namespace backoffice::bff::http
