// Domain types of the users store: the account as the service sees it, the fields a caller may
// set, and who is acting. Not proto types: the gRPC layer maps between the two.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace backoffice::users {

/// Lifecycle state of an account (user.proto UserStatus without UNSPECIFIED).
enum class UserStatus { kActive, kDisabled, kDeleted };

/// "active", "disabled", "deleted": the stored text.
std::string_view UserStatusName(UserStatus status);

/// The inverse of UserStatusName; INVALID_ARGUMENT for anything else.
absl::StatusOr<UserStatus> ParseUserStatus(std::string_view name);

/// An account as returned by the store. Secrets (password hash, TOTP secrets) never appear here.
struct User {
  /// UUIDv7, canonical text.
  std::string id;
  std::string email;
  std::string display_name;
  UserStatus status = UserStatus::kActive;
  bool email_verified = false;
  /// E.164 or empty.
  std::string phone_number;
  /// BCP 47 tag or empty (meaning "en").
  std::string locale;
  /// IANA zone name or empty (meaning "UTC").
  std::string time_zone;
  /// A JSON object, as PostgreSQL's jsonb prints it ("{}" when empty).
  std::string attributes;
  bool password_set = false;
  bool password_change_required = false;
  bool totp_enabled = false;
  int32_t recovery_codes_remaining = 0;
  /// Reason given when disabled; empty unless status is kDisabled.
  std::string disabled_reason;
  /// Incremented by every write; the API's etag is EtagForVersion(version).
  int64_t version = 0;
  absl::Time create_time;
  absl::Time update_time;
  /// Set only when status is kDeleted.
  std::optional<absl::Time> delete_time;
  /// delete_time + the store's retention; set only when status is kDeleted.
  std::optional<absl::Time> purge_time;
  std::optional<absl::Time> last_login_time;
  std::optional<absl::Time> password_change_time;
};

/// The fields CreateUser and UpdateUser may set (CreateUserRequest.user's readable fields).
struct UserFields {
  /// Required; validated and normalized (domain lower-cased) by the store.
  std::string email;
  /// 1 to 200 characters after trimming; on create, empty means the email's local part.
  std::string display_name;
  bool email_verified = false;
  std::string phone_number;
  std::string locale;
  std::string time_zone;
  /// JSON object text; empty means {}.
  std::string attributes;
};

/// Input of UserStore::Create.
struct NewUser {
  UserFields fields;
  /// An already hashed password (the credential layer's argon2id PHC string), or none: the account
  /// cannot log in until one is set. Never returned, logged or put in events.
  std::optional<std::string> password_hash;
  /// Mark the initial password as temporary.
  bool password_change_required = false;
  /// Idempotency key (CreateUserRequest.request_id), at most 128 bytes; empty for none.
  std::string request_id;
};

/// Who performs a change; recorded on the outbox event of every mutation.
struct Actor {
  /// "user" (the caller's JWT `sub`), "service" (a service account) or "system" (jobs).
  std::string type = "system";
  /// The user or service-account id; may be empty for "system".
  std::string id;
  /// The caller's x-request-id, for correlation (not the idempotency key).
  std::string request_id;
  /// W3C trace id.
  std::string trace_id;
};

/// The opaque etag for a version: "\"<version>\"" would need escaping in HTTP headers, so it is
/// the decimal version prefixed with "v" ("v7").
std::string EtagForVersion(int64_t version);

/// The version an etag names: INVALID_ARGUMENT (field `etag`) if it was not made by
/// EtagForVersion. An empty etag means "unconditional" and is handled by callers, not here.
absl::StatusOr<int64_t> VersionFromEtag(std::string_view etag);

}  // namespace backoffice::users
