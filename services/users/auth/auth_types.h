// Types shared by the sign-in classes of the users service: the client facts a login records,
// the token pair a login or refresh returns, and the machine-readable details attached to some
// errors (ErrorInfo reason, RetryInfo) for the gRPC edge to turn into status details.
//
//   absl::StatusOr<ClientInfo> client = NormalizeClientInfo({.ip_address = ip, .user_agent = ua});
//   ...
//   if (ErrorReasonOf(status) == kReasonAccountLocked) { retry = RetryAfterOf(status); }
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/errors/error_details.h"

namespace backoffice::users {

/// What the login client is (auth.proto ClientInfo); the BFF fills it from the HTTP request.
struct ClientInfo {
  /// IPv4 or IPv6 text form, or empty when unknown. At most 45 bytes.
  std::string ip_address;
  /// User-Agent header; truncated to kMaxUserAgentBytes.
  std::string user_agent;
};

/// Longest IP address text accepted (an IPv4-mapped IPv6 address with a zone is shorter).
inline constexpr size_t kMaxIpAddressBytes = 45;
/// User agents are cut to this many bytes (at a UTF-8 character boundary).
inline constexpr size_t kMaxUserAgentBytes = 512;

/// Checks and normalizes client facts: the IP must be empty or a valid IPv4/IPv6 address
/// (INVALID_ARGUMENT "client.ip_address: ..."); the user agent is truncated, never refused.
absl::StatusOr<ClientInfo> NormalizeClientInfo(const ClientInfo& client);

/// Tokens issued by a successful login or refresh (auth.proto TokenPair).
struct TokenPair {
  /// Signed JWT access token.
  std::string access_token;
  /// Lifetime of the access token (15 minutes by default).
  absl::Duration access_token_expires_in;
  /// Opaque single-use refresh token ("rt_" + 43 characters); give it to the client only.
  std::string refresh_token;
  /// When the refresh token (and the session, unless refreshed) expires.
  absl::Time refresh_token_expire_time;
  /// Always "Bearer".
  std::string token_type = "Bearer";
};

/// The one message for every failed password step, whatever the cause (unknown email, wrong
/// password, account disabled or deleted, no password set): no account enumeration.
inline constexpr std::string_view kInvalidCredentialsMessage = "invalid email or password";

/// ErrorInfo reasons attached to statuses (ErrorReasonOf).
inline constexpr std::string_view kReasonAccountLocked = "ACCOUNT_LOCKED";
inline constexpr std::string_view kReasonRefreshTokenReused = "REFRESH_TOKEN_REUSED";

// Reasons and retry delays ride on statuses as libs/errors payloads.
using errors::ErrorReasonOf;
using errors::RetryAfterOf;
using errors::WithErrorReason;
using errors::WithRetryAfter;

/// RESOURCE_EXHAUSTED "account is locked; try again later", reason ACCOUNT_LOCKED, retry after
/// `retry_after`: the answer to any attempt on a locked account (or locked unknown email).
absl::Status AccountLockedError(absl::Duration retry_after);

}  // namespace backoffice::users
