#pragma once

#include <string_view>

#include "absl/status/statusor.h"

namespace backoffice::auth {

/// The token of an `authorization: Bearer <token>` value (RFC 6750 section 2.1: the scheme is
/// case-insensitive, one space, then a token of token68 characters). UNAUTHENTICATED with a
/// short reason when the value is missing, uses another scheme or carries anything else.
absl::StatusOr<std::string_view> BearerToken(std::string_view authorization);

}  // namespace backoffice::auth
