#include "bff/app/cookies.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/jwt/base64url.h"

namespace backoffice::bff::app {

std::optional<std::string_view> GetCookie(const http::HttpHeaders& headers, std::string_view name) {
  for (std::string_view header : headers.GetAll("cookie")) {
    // "a=1; b=2": pairs separated by ';' and optional whitespace.
    for (absl::string_view pair : absl::StrSplit(absl::string_view(header.data(), header.size()),
                                                 ';', absl::SkipWhitespace())) {
      pair = absl::StripAsciiWhitespace(pair);
      size_t equals = pair.find('=');
      if (equals == absl::string_view::npos) {
        continue;
      }
      absl::string_view key = absl::StripAsciiWhitespace(pair.substr(0, equals));
      if (std::string_view(key.data(), key.size()) == name) {
        absl::string_view value = absl::StripAsciiWhitespace(pair.substr(equals + 1));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
          value = value.substr(1, value.size() - 2);
        }
        return std::string_view(value.data(), value.size());
      }
    }
  }
  return std::nullopt;
}

std::string SetCookieValue(std::string_view name, std::string_view value, int64_t max_age_seconds,
                           bool http_only) {
  return absl::StrCat(absl::string_view(name.data(), name.size()), "=",
                      absl::string_view(value.data(), value.size()),
                      "; Max-Age=", max_age_seconds < 0 ? 0 : max_age_seconds,
                      "; Path=/; Secure; SameSite=Strict", http_only ? "; HttpOnly" : "");
}

std::string ClearCookieValue(std::string_view name, bool http_only) {
  return SetCookieValue(name, "", 0, http_only);
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string NewCsrfToken() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    // OpenSSL's DRBG failing is not a state to continue from: a guessable token is worse.
    std::abort();
  }
  return jwt::Base64UrlEncode(
      std::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
}

bool IsUnsafeMethod(std::string_view method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

}  // namespace backoffice::bff::app
