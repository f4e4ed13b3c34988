#include "libs/auth/bearer_token.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace backoffice::auth {
namespace {

// token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
bool IsToken68(std::string_view token) {
  size_t end = token.size();
  while (end > 0 && token[end - 1] == '=') {
    --end;
  }
  if (end == 0) {
    return false;
  }
  for (size_t i = 0; i < end; ++i) {
    char c = token[i];
    if (!absl::ascii_isalnum(c) && c != '-' && c != '.' && c != '_' && c != '~' && c != '+' &&
        c != '/') {
      return false;
    }
  }
  return true;
}

}  // namespace

absl::StatusOr<std::string_view> BearerToken(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.empty()) {
    return absl::UnauthenticatedError("missing bearer token");
  }
  if (authorization.size() <= kScheme.size() ||
      !absl::EqualsIgnoreCase(absl::string_view(authorization.data(), kScheme.size()),
                              absl::string_view(kScheme.data(), kScheme.size()))) {
    return absl::UnauthenticatedError("authorization must use the Bearer scheme");
  }
  std::string_view token = authorization.substr(kScheme.size());
  if (!IsToken68(token)) {
    return absl::UnauthenticatedError("malformed bearer token");
  }
  return token;
}

}  // namespace backoffice::auth
