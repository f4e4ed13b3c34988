#pragma once

#include "absl/status/status.h"
#include "bff/app/users_api.h"
#include "bff/http/router.h"

namespace backoffice::bff::app {

/// Sign-in routes (docs/bff.md, "Authentication"):
///  - POST /api/auth/login {email, password}: browsers; sets the __Host-access, __Host-refresh and
///    __Host-csrf cookies and answers {user, sessionId} (never tokens), or a second-factor
///    challenge {secondFactorRequired: true, challenge, methods, expireTime} (200, no cookies);
///  - POST /api/auth/login/second-factor {challenge, totpCode | recoveryCode}: completes it;
///  - POST /api/auth/refresh: refresh cookie (+ CSRF) → new cookies; a refused or reused refresh
///    token → 401 with the cookies cleared;
///  - POST /api/auth/logout: ends the session (refresh cookie, else the Bearer token's session)
///    and clears the cookies;
///  - POST /api/auth/token: non-browser clients; tokens in the body.
/// Lockout (RESOURCE_EXHAUSTED with RetryInfo) answers 429 with Retry-After.
absl::Status AddAuthRoutes(http::Router& router, const UsersApi& users);

}  // namespace backoffice::bff::app
