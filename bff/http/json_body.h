#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "bff/http/http_request.h"
#include "bff/http/http_response.h"

namespace backoffice::bff::http {

/// The JSON type a request field must have.
enum class JsonType {
  kString,
  kInteger,  // a JSON number without fraction or exponent that fits int64/uint64
  kNumber,
  kBool,
  kObject,
  kArray,
  kStringArray,  // an array whose items are all strings
  kAny,
};

/// One field a request object may carry.
struct FieldSpec {
  std::string name;
  JsonType type = JsonType::kString;
  bool required = false;
  /// Whether `null` is accepted (to clear a value in a PATCH).
  bool nullable = false;
};

/// Parses the request body as one JSON object, strictly: RFC 8259 syntax, valid UTF-8, nesting at
/// most 32 deep, no duplicate member names, and a JSON (or absent) Content-Type. Every failure is
/// INVALID_ARGUMENT (→ 400) with a message that never quotes the body.
absl::StatusOr<boost::json::object> ParseJsonObject(const HttpRequest& request);

/// Checks `object` against `schema`: a member not in the schema, a member of the wrong type and a
/// missing required member are each a field error (all of them are reported, as
/// `errors: {field: message}` once mapped to a problem). INVALID_ARGUMENT when any is found.
absl::Status CheckJsonObject(const boost::json::object& object, absl::Span<const FieldSpec> schema);

/// ParseJsonObject then CheckJsonObject: what a create or update handler calls first.
///
///   static const FieldSpec kSchema[] = {{"email", JsonType::kString, true},
///                                       {"display_name", JsonType::kString}};
///   absl::StatusOr<boost::json::object> body = ReadJsonObject(request, kSchema);
///   if (!body.ok()) co_return ProblemResponse(request, body.status());
absl::StatusOr<boost::json::object> ReadJsonObject(const HttpRequest& request,
                                                   absl::Span<const FieldSpec> schema);

/// A JSON response with `value` serialized as its body.
HttpResponse JsonResponse(int status, const boost::json::value& value);

}  // namespace backoffice::bff::http
