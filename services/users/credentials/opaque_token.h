// Opaque bearer tokens (refresh tokens, login challenge tokens): 256 random bits as base64url
// text behind a short prefix that says what the token is, stored only as a SHA-256 hash.
//
//   absl::StatusOr<OpaqueTokenFormat> refresh = OpaqueTokenFormat::Create(kRefreshTokenPrefix);
//   OpaqueToken issued = refresh->Generate();
//   // give issued.token to the client; store issued.hash (32 raw bytes, a bytea column)
//   ...
//   absl::StatusOr<std::string> hash = refresh->HashOf(presented);  // strict format check first
//   if (!hash.ok()) { /* INVALID_ARGUMENT: not a token of this kind; answer UNAUTHENTICATED */ }
//   // SELECT ... WHERE token_hash = $1
//
// A plain SHA-256 is enough (no salt, no slow hash): the token is 256 random bits, so its hash
// cannot be reversed, and an unsalted hash is what makes the lookup by hash possible. The prefix
// lets secret scanners and logs recognise a leaked token and keeps one kind of token from being
// accepted as another. Thread-safe (everything is const).
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"

namespace backoffice::users {

/// Prefix of refresh tokens ("rt_" + 43 characters = 46).
inline constexpr std::string_view kRefreshTokenPrefix = "rt_";
/// Prefix of second-factor login challenge tokens.
inline constexpr std::string_view kChallengeTokenPrefix = "lc_";

/// A new token and the hash to store.
struct OpaqueToken {
  /// prefix + 43 base64url characters (RFC 4648 section 5, no padding). Give to the client only.
  std::string token;
  /// SHA-256 of the whole token text, 32 raw bytes.
  std::string hash;
};

/// Generates and checks tokens of one kind (one prefix).
class OpaqueTokenFormat final {
 public:
  /// Random bytes per token.
  static constexpr size_t kRandomBytes = 32;
  /// Characters after the prefix: base64url of 32 bytes without padding.
  static constexpr size_t kBodyLength = 43;

  /// `prefix` is 0 to 16 characters of [a-z0-9_] (an empty prefix gives bare 43-character
  /// tokens); INVALID_ARGUMENT otherwise.
  static absl::StatusOr<OpaqueTokenFormat> Create(std::string_view prefix);

  /// A fresh token from libsodium's CSPRNG and its hash.
  OpaqueToken Generate() const;

  /// The SHA-256 (32 raw bytes) of a presented token, after checking that it is exactly prefix +
  /// 43 characters of the base64url alphabet in canonical form (the last character's two unused
  /// bits zero). INVALID_ARGUMENT "token: malformed" otherwise, without echoing the input.
  absl::StatusOr<std::string> HashOf(std::string_view token) const;

  /// The prefix this format uses.
  const std::string& prefix() const { return prefix_; }

  /// Length of a whole token: prefix plus kBodyLength.
  size_t token_length() const { return prefix_.size() + kBodyLength; }

 private:
  explicit OpaqueTokenFormat(std::string prefix) : prefix_(std::move(prefix)) {}

  std::string prefix_;
};

}  // namespace backoffice::users
