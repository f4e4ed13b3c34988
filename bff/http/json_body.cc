#include "bff/http/json_body.h"

#include <boost/json/serialize.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "bff/http/problem.h"
#include "libs/jwt/strict_json.h"

namespace backoffice::bff::http {
namespace {

namespace json = boost::json;

bool IsJsonContentType(std::string_view content_type) {
  std::string media(content_type.substr(0, content_type.find(';')));
  absl::string_view trimmed = absl::StripAsciiWhitespace(media);
  std::string lower = absl::AsciiStrToLower(trimmed);
  return lower == "application/json" ||
         (absl::StartsWith(lower, "application/") && absl::EndsWith(lower, "+json"));
}

bool HasType(const json::value& value, JsonType type) {
  switch (type) {
    case JsonType::kString:
      return value.is_string();
    case JsonType::kInteger:
      return value.is_int64() || value.is_uint64();
    case JsonType::kNumber:
      return value.is_number();
    case JsonType::kBool:
      return value.is_bool();
    case JsonType::kObject:
      return value.is_object();
    case JsonType::kArray:
      return value.is_array();
    case JsonType::kStringArray:
      if (!value.is_array()) {
        return false;
      }
      for (const json::value& item : value.get_array()) {
        if (!item.is_string()) {
          return false;
        }
      }
      return true;
    case JsonType::kAny:
      return true;
  }
  return false;
}

std::string TypeMessage(JsonType type) {
  switch (type) {
    case JsonType::kString:
      return "must be a string";
    case JsonType::kInteger:
      return "must be an integer";
    case JsonType::kNumber:
      return "must be a number";
    case JsonType::kBool:
      return "must be a boolean";
    case JsonType::kObject:
      return "must be an object";
    case JsonType::kArray:
      return "must be an array";
    case JsonType::kStringArray:
      return "must be an array of strings";
    case JsonType::kAny:
      return "is invalid";
  }
  return "is invalid";
}

}  // namespace

absl::StatusOr<json::object> ParseJsonObject(const HttpRequest& request) {
  std::string_view content_type = request.headers.Get("content-type");
  if (!content_type.empty() && !IsJsonContentType(content_type)) {
    return absl::InvalidArgumentError("the request body must be sent as application/json");
  }
  if (request.body.empty()) {
    return absl::InvalidArgumentError("the request body must be a JSON object");
  }
  absl::StatusOr<json::value> parsed = jwt::ParseStrictJson(request.body);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the request body is not valid JSON: ", parsed.status().message()));
  }
  if (!parsed->is_object()) {
    return absl::InvalidArgumentError("the request body must be a JSON object");
  }
  return std::move(parsed->get_object());
}

absl::Status CheckJsonObject(const json::object& object, absl::Span<const FieldSpec> schema) {
  std::vector<std::pair<std::string, std::string>> errors;
  std::vector<std::string> unknown;
  for (const auto& member : object) {
    std::string_view name(member.key().data(), member.key().size());
    const FieldSpec* spec = nullptr;
    for (const FieldSpec& candidate : schema) {
      if (candidate.name == name) {
        spec = &candidate;
        break;
      }
    }
    if (spec == nullptr) {
      unknown.emplace_back(name);
      errors.emplace_back(std::string(name), "unknown field");
      continue;
    }
    if (member.value().is_null()) {
      if (!spec->nullable) {
        errors.emplace_back(spec->name, "must not be null");
      }
      continue;
    }
    if (!HasType(member.value(), spec->type)) {
      errors.emplace_back(spec->name, TypeMessage(spec->type));
    }
  }
  for (const FieldSpec& spec : schema) {
    if (spec.required && !object.contains(spec.name)) {
      errors.emplace_back(spec.name, "is required");
    }
  }
  if (errors.empty()) {
    return absl::OkStatus();
  }
  std::string message;
  if (!unknown.empty()) {
    message = absl::StrCat("unknown fields: ", absl::StrJoin(unknown, ", "));
  } else {
    message = absl::StrCat(errors.front().first, ": ", errors.front().second);
  }
  return WithFieldErrors(absl::InvalidArgumentError(message), errors);
}

absl::StatusOr<json::object> ReadJsonObject(const HttpRequest& request,
                                            absl::Span<const FieldSpec> schema) {
  absl::StatusOr<json::object> object = ParseJsonObject(request);
  if (!object.ok()) {
    return object.status();
  }
  if (absl::Status checked = CheckJsonObject(*object, schema); !checked.ok()) {
    return checked;
  }
  return object;
}

HttpResponse JsonResponse(int status, const json::value& value) {
  return HttpResponse::Json(status, json::serialize(value));
}

}  // namespace backoffice::bff::http
