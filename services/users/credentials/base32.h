// RFC 4648 base32 (alphabet A-Z, 2-7) without padding, as authenticator apps expect TOTP secrets.
//
//   std::string text = Base32Encode(secret);                  // "JBSWY3DPEHPK3PXP..."
//   absl::StatusOr<std::string> bytes = Base32Decode(text);   // the secret again
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace backoffice::users {

/// Upper-case base32 of `bytes` with no '=' padding (20 bytes -> 32 characters).
std::string Base32Encode(std::string_view bytes);

/// Decodes unpadded base32, accepting upper or lower case. INVALID_ARGUMENT on a character
/// outside the alphabet (including '=' and spaces), a length no encoder produces (1, 3 or 6
/// characters past a multiple of 8), or non-zero bits in the last character's unused tail (so
/// each byte string has exactly one accepted text form).
absl::StatusOr<std::string> Base32Decode(std::string_view text);

}  // namespace backoffice::users
