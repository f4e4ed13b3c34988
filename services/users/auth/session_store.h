// Login sessions and their rotating refresh tokens (tables `sessions`, `refresh_tokens`).
//
//   SessionStore sessions(pool);  // 12 h idle, 30 days absolute
//   absl::StatusOr<NewSession> created =
//       sessions.Create(tx, user_id, client, /*second_factor_used=*/false, actor, now);
//   // give created->refresh_token to the client once; only its hash is stored
//   absl::StatusOr<RefreshedSession> next = sessions.Refresh(presented, client, actor, now);
//
// A session is a refresh-token family. Refresh locks the presented token's row and its session's
// row (SELECT ... FOR UPDATE) and, in one transaction, marks the token used, inserts its
// successor and moves the session's last use and idle expiry (never the absolute one). Two
// refreshes of one token therefore serialize: the first wins; the second then finds the token
// used, which is reuse: the whole session is revoked (reason `refresh_token_reused`, so the
// winner's new token dies too) and it gets UNAUTHENTICATED with reason REFRESH_TOKEN_REUSED.
// Every creation and revocation writes `session.created` / `session.revoked` in the same
// transaction. Thread-safe (each call leases its own connection).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/pg/pool.h"
#include "libs/pg/transaction.h"
#include "services/users/auth/auth_types.h"
#include "services/users/credentials/opaque_token.h"
#include "services/users/store/user.h"

namespace backoffice::users {

/// How long sessions live (auth.proto TokenPair.refresh_token_expire_time).
struct SessionPolicy {
  /// A session dies after this long without a refresh.
  absl::Duration idle_timeout = absl::Hours(12);
  /// A session dies this long after the login, whatever happens.
  absl::Duration absolute_lifetime = absl::Hours(24 * 30);
};

/// Revocation reasons stored in `sessions.revoke_reason` and put in `session.revoked` events.
inline constexpr char kRevokeLogout[] = "logout";
inline constexpr char kRevokeRevoked[] = "revoked";
inline constexpr char kRevokePasswordChanged[] = "password_changed";
inline constexpr char kRevokeRefreshTokenReused[] = "refresh_token_reused";
inline constexpr char kRevokeUserDisabled[] = "user_disabled";
inline constexpr char kRevokeUserDeleted[] = "user_deleted";
inline constexpr char kRevokeTotpEnabled[] = "totp_enabled";

/// A new session and its first refresh token.
struct NewSession {
  std::string session_id;
  /// Opaque token for the client; shown once.
  std::string refresh_token;
  /// min(idle expiry, absolute expiry).
  absl::Time refresh_token_expire_time;
};

/// The outcome of a successful Refresh.
struct RefreshedSession {
  std::string session_id;
  std::string user_id;
  /// The successor token; the presented one no longer works.
  std::string refresh_token;
  absl::Time refresh_token_expire_time;
  /// The account must change its password (the access token then carries `pcr`).
  bool password_change_required = false;
};

/// One live session as ListSessions shows it (auth.proto Session).
struct SessionInfo {
  std::string id;
  std::string user_id;
  absl::Time create_time;
  absl::Time last_use_time;
  /// When it dies unless refreshed (and at the latest).
  absl::Time expire_time;
  /// IP address of the last use ("" if unknown).
  std::string ip_address;
  /// User-Agent of the login.
  std::string user_agent;
  std::string device;
  /// The caller's own session.
  bool current = false;
  bool second_factor_used = false;
};

/// A page of sessions.
struct SessionPage {
  std::vector<SessionInfo> sessions;
  /// Empty on the last page.
  std::string next_page_token;
  /// Exact number of live sessions of the user.
  int64_t total_size = 0;
};

/// Sessions and refresh tokens; see the file comment.
class SessionStore final {
 public:
  /// Default and largest ListSessions page sizes.
  static constexpr int kDefaultPageSize = 50;
  static constexpr int kMaxPageSize = 500;

  /// The pool's sessions must use search_path = users. The pool must outlive the store.
  explicit SessionStore(pg::Pool& pool, SessionPolicy policy = {});

  /// Creates a session for `user_id` with its first refresh token inside `tx` (so a login's
  /// lockout reset, last-login time and session commit together), and writes `session.created`.
  /// `client` must be normalized (NormalizeClientInfo).
  absl::StatusOr<NewSession> Create(pg::Transaction& tx, std::string_view user_id,
                                    const ClientInfo& client, bool second_factor_used,
                                    const Actor& actor, absl::Time now) const;

  /// Create in a transaction of its own.
  absl::StatusOr<NewSession> Create(std::string_view user_id, const ClientInfo& client,
                                    bool second_factor_used, const Actor& actor, absl::Time now);

  /// Rotates `refresh_token` (see the file comment). UNAUTHENTICATED when the token is
  /// malformed or unknown, the session is revoked or expired (idle or absolute), the account is
  /// not active or is locked, or the token was already used (then reason REFRESH_TOKEN_REUSED and
  /// the session is revoked). `client.ip_address` (if set) becomes the session's last IP.
  absl::StatusOr<RefreshedSession> Refresh(std::string_view refresh_token, const ClientInfo& client,
                                           const Actor& actor, absl::Time now);

  /// Logout: revokes the session of `refresh_token` (used or not) with reason "logout" and
  /// returns its id; nullopt, and OK, for an unknown token or an already ended session
  /// (idempotent). INVALID_ARGUMENT "refresh_token: malformed" for a string that is no refresh
  /// token.
  absl::StatusOr<std::optional<std::string>> RevokeByRefreshToken(std::string_view refresh_token,
                                                                  const Actor& actor,
                                                                  absl::Time now);

  /// Revokes one session. With `owner_user_id`, a session of another user is NOT_FOUND (no
  /// existence leak). Idempotent: an ended session is OK. NOT_FOUND for an unknown id,
  /// INVALID_ARGUMENT "session_id: ..." for a malformed one.
  absl::Status Revoke(std::string_view session_id, std::optional<std::string_view> owner_user_id,
                      std::string_view reason, const Actor& actor, absl::Time now);

  /// Revokes every live session of `user_id` except `keep_session_id`, returning how many.
  /// NOT_FOUND if the user does not exist.
  absl::StatusOr<int> RevokeAll(std::string_view user_id, std::string_view reason,
                                const Actor& actor, absl::Time now,
                                std::optional<std::string_view> keep_session_id = std::nullopt);

  /// RevokeAll inside another store's transaction (password change, disable, delete): one
  /// `session.revoked` event per session, in `tx`. Does not check that the user exists.
  static absl::StatusOr<int> RevokeAllForUser(
      pg::Transaction& tx, std::string_view user_id, std::string_view reason, const Actor& actor,
      absl::Time now, std::optional<std::string_view> keep_session_id = std::nullopt);

  /// A user's live sessions, newest first; `current_session_id` (the caller's JWT `sid`) is
  /// marked. `page_size` 0 means 50; INVALID_ARGUMENT "page.page_size: ..." outside 0..500,
  /// "page.page_token: malformed" for a token this method did not make.
  absl::StatusOr<SessionPage> List(std::string_view user_id, std::string_view current_session_id,
                                   int page_size, std::string_view page_token, absl::Time now);

  const SessionPolicy& policy() const { return policy_; }

 private:
  pg::Pool& pool_;
  SessionPolicy policy_;
  OpaqueTokenFormat token_format_;
};

}  // namespace backoffice::users
