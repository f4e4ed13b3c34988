#ifndef BACKOFFICE_LIBS_LOG_REDACT_H_
#define BACKOFFICE_LIBS_LOG_REDACT_H_

#include <string>
#include <string_view>

namespace backoffice::log {

// What replaces a secret.
inline constexpr std::string_view kRedacted = "[REDACTED]";

// Whether a field named `key` holds a secret: its name contains, case-insensitively and with '-'
// read as '_', one of password, passwd, secret, token, authorization, cookie, api_key, apikey,
// private_key or privatekey ("refresh_token", "X-Api-Key" and "Set-Cookie" all count). Such
// fields are logged as "[REDACTED]" whatever their value.
bool IsSecretKey(std::string_view key);

// Masks what must not reach the logs inside free text:
//   - "Bearer <token>" (any case) becomes "Bearer [REDACTED]";
//   - JWT-looking strings (three base64url segments, the first starting "eyJ") become
//     "[REDACTED]";
//   - email addresses keep their first character and domain: "alice@example.com" becomes
//     "a***@example.com".
// Text without '@', "eyJ" or "bearer" is returned unchanged without further work.
std::string RedactText(std::string_view text);

}  // namespace backoffice::log

#endif  // BACKOFFICE_LIBS_LOG_REDACT_H_
