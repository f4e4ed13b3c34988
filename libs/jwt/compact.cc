#include "libs/jwt/compact.h"

#include "absl/strings/str_cat.h"
#include "libs/jwt/base64url.h"
#include "libs/jwt/strict_json.h"

namespace backoffice::jwt {
namespace {

absl::StatusOr<boost::json::object> DecodeObject(std::string_view part, const char* name) {
  std::optional<std::string> bytes = Base64UrlDecode(part);
  if (!bytes.has_value()) {
    return absl::UnauthenticatedError(absl::StrCat(name, " is not valid base64url"));
  }
  absl::StatusOr<boost::json::object> object = ParseStrictJsonObject(*bytes);
  if (!object.ok()) {
    return absl::UnauthenticatedError(absl::StrCat(name, ": ", object.status().message()));
  }
  return object;
}

}  // namespace

absl::StatusOr<ParsedToken> ParseCompact(std::string_view token, size_t max_bytes) {
  if (token.size() > max_bytes) {
    return absl::UnauthenticatedError(absl::StrCat("token is longer than ", max_bytes, " bytes"));
  }
  size_t first = token.find('.');
  size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return absl::UnauthenticatedError("token does not have exactly 3 parts");
  }
  ParsedToken parsed;
  parsed.signing_input = token.substr(0, second);
  parsed.token_size = token.size();
  absl::StatusOr<boost::json::object> header = DecodeObject(token.substr(0, first), "header");
  if (!header.ok()) {
    return header.status();
  }
  absl::StatusOr<boost::json::object> payload =
      DecodeObject(token.substr(first + 1, second - first - 1), "payload");
  if (!payload.ok()) {
    return payload.status();
  }
  std::optional<std::string> signature = Base64UrlDecode(token.substr(second + 1));
  if (!signature.has_value()) {
    return absl::UnauthenticatedError("signature is not valid base64url");
  }
  parsed.header = *std::move(header);
  parsed.payload = *std::move(payload);
  parsed.signature = *std::move(signature);
  return parsed;
}

}  // namespace backoffice::jwt
