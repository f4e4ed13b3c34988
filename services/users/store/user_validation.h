// Validation and normalization of the user fields callers send. Each error is INVALID_ARGUMENT
// whose message starts with the field path in request terms ("user.email: ..."), and never quotes
// the rejected value.
//
// Email: a practical subset of RFC 5321/5322 `addr-spec`, what mail systems actually accept from
// sign-up forms: at most 254 bytes; one `@`; a dot-atom local part of 1 to 64 bytes (letters,
// digits and !#$%&'*+/=?^_`{|}~- , dots only between characters); a domain of at least two
// dot-separated labels, each 1 to 63 letters, digits or hyphens, not starting or ending with a
// hyphen, the last not all digits. Not accepted: quoted local parts, comments, address literals
// (`[192.0.2.1]`), non-ASCII (internationalized domains must come as `xn--` punycode). The domain
// is lower-cased; the local part is kept as given (uniqueness is case-insensitive anyway).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/users/store/user.h"

namespace backoffice::users {

inline constexpr int kMaxEmailBytes = 254;
inline constexpr int kMaxEmailLocalPartBytes = 64;
inline constexpr int kMaxDisplayNameChars = 200;
inline constexpr int kMaxLocaleBytes = 35;
inline constexpr int kMaxTimeZoneBytes = 64;
inline constexpr int kMaxAttributesBytes = 16 * 1024;
inline constexpr int kMaxAttributesKeys = 64;
inline constexpr int kMaxDisabledReasonChars = 500;
inline constexpr int kMaxRequestIdBytes = 128;

/// The email with its domain lower-cased, or INVALID_ARGUMENT "<field>: ...".
absl::StatusOr<std::string> NormalizeEmail(std::string_view email,
                                           std::string_view field = "user.email");

/// The name with surrounding ASCII whitespace removed: valid UTF-8, 1 to 200 code points, no
/// control characters (C0, DEL, C1).
absl::StatusOr<std::string> NormalizeDisplayName(std::string_view name,
                                                 std::string_view field = "user.display_name");

/// Empty, or `+` then 8 to 15 digits (E.164).
absl::Status ValidatePhoneNumber(std::string_view phone,
                                 std::string_view field = "user.phone_number");

/// Empty, or a BCP 47 tag in its common shape (`en`, `de-CH`, `zh-Hant-TW`): a 2 to 8 letter
/// language, then hyphen-separated subtags of 1 to 8 letters or digits; at most 35 bytes.
absl::Status ValidateLocale(std::string_view locale, std::string_view field = "user.locale");

/// Empty, or an IANA time zone name this machine's zoneinfo knows (`Europe/Zurich`, `UTC`), at
/// most 64 bytes.
absl::Status ValidateTimeZone(std::string_view time_zone,
                              std::string_view field = "user.time_zone");

/// A JSON object of at most 64 top-level keys and 16 KiB serialized compactly; returns its compact
/// serialization ("{}" for empty input).
absl::StatusOr<std::string> NormalizeAttributes(std::string_view json,
                                                std::string_view field = "user.attributes");

/// Free text of at most `max_chars` code points, valid UTF-8, no control characters.
absl::Status ValidateText(std::string_view text, int max_chars, std::string_view field);

/// Validates and normalizes every field for a create: display_name defaults to the email's local
/// part. Field paths are "user.<name>".
absl::StatusOr<UserFields> NormalizeNewUserFields(const UserFields& fields);

}  // namespace backoffice::users
