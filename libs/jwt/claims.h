#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace backoffice::jwt {

/// The largest NumericDate accepted: 9999-12-31T23:59:59Z. Anything above is "out of range".
inline constexpr int64_t kMaxNumericDate = 253402300799;

/// The claims of a JWT access token (RFC 7519, RFC 9068). Standard claims are typed; everything
/// else (and the standard claims too) stays available in `payload`.
struct Claims {
  std::string iss;
  std::string sub;
  /// `aud` as a list; a single string audience becomes a one-element list.
  std::vector<std::string> aud;
  /// Required by the verifier. InfinitePast() when unset.
  absl::Time exp = absl::InfinitePast();
  std::optional<absl::Time> nbf;
  std::optional<absl::Time> iat;
  std::string jti;
  /// Session id of the users service (refresh-token family).
  std::string sid;
  /// OAuth scopes, space separated, as in RFC 8693 `scope`.
  std::string scope;
  /// `roles` if the payload has it (array of strings).
  std::vector<std::string> roles;
  /// From the JOSE header, filled by the verifier: `typ` and `kid` ("" if absent).
  std::string typ;
  std::string kid;
  /// The whole payload object as received (or as extra claims to sign).
  boost::json::object payload;

  /// True if `scope` lists `name` as one of its space-separated entries.
  bool HasScope(std::string_view name) const;
};

/// Reads the registered claims out of a payload object, checking their types: iss, sub, jti, sid
/// and scope strings; aud a string or an array of strings; exp, nbf and iat integer NumericDates
/// in 0..kMaxNumericDate (a fraction, an exponent form, a negative or a larger number is
/// refused); roles an array of strings. Missing claims stay empty. UNAUTHENTICATED with a short
/// reason naming the claim.
absl::StatusOr<Claims> ClaimsFromPayload(boost::json::object payload);

/// The payload to sign for `claims`: `claims.payload` with every non-empty typed field written
/// over it (times as integer seconds; one audience as a string, several as an array).
boost::json::object ClaimsToPayload(const Claims& claims);

}  // namespace backoffice::jwt
