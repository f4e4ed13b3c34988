#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bff/http/http_headers.h"

namespace backoffice::bff::app {

/// The browser session's cookies. `__Host-` names make the browser insist on Secure, Path=/ and
/// no Domain, so no other host (a sibling subdomain) can set or overwrite them.
inline constexpr char kAccessCookie[] = "__Host-access";
inline constexpr char kRefreshCookie[] = "__Host-refresh";
inline constexpr char kCsrfCookie[] = "__Host-csrf";
/// The header an SPA copies the CSRF cookie into on unsafe methods (double submit).
inline constexpr char kCsrfHeader[] = "x-csrf-token";

/// The value of cookie `name` in the request's Cookie header(s) (first occurrence), or nullopt.
std::optional<std::string_view> GetCookie(const http::HttpHeaders& headers, std::string_view name);

/// A Set-Cookie value: `name=value; Max-Age=N; Path=/; Secure; SameSite=Strict` plus `HttpOnly`
/// when `http_only`.
std::string SetCookieValue(std::string_view name, std::string_view value, int64_t max_age_seconds,
                           bool http_only);

/// A Set-Cookie value that deletes cookie `name` (empty value, Max-Age=0).
std::string ClearCookieValue(std::string_view name, bool http_only);

/// Compares two secrets in time that depends only on their lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

/// 32 random bytes, base64url without padding (43 characters): a CSRF token.
std::string NewCsrfToken();

/// Whether `method` may change state (anything but GET, HEAD, OPTIONS).
bool IsUnsafeMethod(std::string_view method);

}  // namespace backoffice::bff::app
