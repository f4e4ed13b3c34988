// The users service's account store: CRUD, soft delete, status changes and listing over
// PostgreSQL (schema `users`, see services/users/migrations), with an outbox event in the same
// transaction as every change.
//
//   UserStore store(pool);
//   absl::StatusOr<User> user = store.Create({.fields = {.email = "ann@example.com"}}, actor);
//   absl::StatusOr<ListUsersPage> page = store.List({.query = "ann", .page_size = 20});
//
// Errors: INVALID_ARGUMENT names the field in request terms (`user.email`, `update_mask`,
// `page.page_token`, `order_by[0].field`, `ids[3]`) and nothing is written; NOT_FOUND for an id
// that names no account; ALREADY_EXISTS for a taken email or a reused request_id; ABORTED for a
// stale expected version; FAILED_PRECONDITION for a call that does not fit the account's state;
// UNAVAILABLE / DEADLINE_EXCEEDED from the database as libs/pg maps them.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "libs/pg/pool.h"
#include "libs/pg/transaction.h"
#include "services/users/store/list_users.h"
#include "services/users/store/user.h"

namespace backoffice::users {

/// Tunables; the defaults are the API's documented values.
struct UserStoreOptions {
  /// purge_time = delete_time + this.
  absl::Duration delete_retention = absl::Hours(24 * 30);
  /// Lifetime of page tokens.
  absl::Duration page_token_ttl = absl::Hours(24);
  /// How long a Create request_id is remembered.
  absl::Duration idempotency_ttl = absl::Hours(24);
  /// Clock for page token issue and expiry (tests move it); absl::Now when empty.
  std::function<absl::Time()> clock;
};

/// Options for Get.
struct GetUserOptions {
  /// GetUser returns soft-deleted accounts (status kDeleted); false makes them NOT_FOUND.
  bool include_deleted = true;
};

/// Result of BatchGet.
struct BatchGetUsersResult {
  /// Found accounts in the order of each id's first occurrence in the request.
  std::vector<User> users;
  /// Requested ids (canonical text, once each, request order) with no account.
  std::vector<std::string> missing_ids;
};

/// Input of Update.
struct UserUpdate {
  /// The account (field `user.id`).
  std::string id;
  /// New values; only the fields named in update_mask are read.
  UserFields fields;
  /// Field names: email, display_name, email_verified, phone_number, locale, time_zone,
  /// attributes, or "*" for all of them. A named field that is empty is cleared (email and
  /// display_name cannot be).
  std::vector<std::string> update_mask;
  /// Apply only if the account is at this version (the etag's); empty for unconditional.
  std::optional<int64_t> expected_version;
};

/// The last-admin rule for a change that makes an account non-active (SoftDelete, disabling
/// SetStatus). The store has no view of grants (the roles service owns them): the caller passes
/// who holds an unexpired `admin` grant. When the account is an ACTIVE holder, the store takes a
/// transaction-scoped advisory lock (queries/lock_last_admin_check.sql) before the account's row
/// lock, and refuses with FAILED_PRECONDITION, reason LAST_ADMIN, unless another holder's account
/// is active, counted in the same transaction as the change. Two admins disabling each other
/// concurrently are thus serialized: the second sees the first one's change and is refused.
struct LastAdminCheck {
  /// Whether to apply the rule; false (the default) skips it (no roles service to ask).
  bool enabled = false;
  /// Every user holding an unexpired `admin` grant (the account itself may be among them; ids
  /// that are not UUIDs are ignored).
  std::vector<std::string> admin_holder_ids;
};

/// Max ids per BatchGet (users.proto).
inline constexpr int kMaxBatchGetIds = 500;

/// Thread-safe (each call leases its own connection). The pool's sessions must have
/// search_path = users.
class UserStore final {
 public:
  explicit UserStore(pg::Pool& pool, UserStoreOptions options = {});

  /// Creates an account with a new UUIDv7, status active, version 1, and writes `user.created`.
  /// Fields are validated and normalized (user_validation.h); display_name defaults to the
  /// email's local part. With a request_id: a retry by the same actor (type and id) with the same
  /// input within idempotency_ttl returns the account the first call created (its current state;
  /// nothing is written again); the same request_id with different input is ALREADY_EXISTS
  /// naming `request_id`. ALREADY_EXISTS (`user.email`) when the address is taken by any account
  /// not yet purged, compared case-insensitively.
  absl::StatusOr<User> Create(const NewUser& user, const Actor& actor);

  /// One account by id (field `id`). NOT_FOUND if none (or it is deleted and
  /// !options.include_deleted).
  absl::StatusOr<User> Get(std::string_view id, GetUserOptions options = {});

  /// 1 to 500 accounts by id (field `ids`, `ids[i]`), deleted ones included; duplicates are
  /// returned once; unknown ids are listed in missing_ids, not an error.
  absl::StatusOr<BatchGetUsersResult> BatchGet(absl::Span<const std::string> ids);

  /// Changes the masked fields and writes `user.updated` (metadata {"changed": [...]}).
  /// INVALID_ARGUMENT: empty mask (`update_mask`), unknown or output-only field
  /// (`update_mask.paths[i]`), invalid value (`user.<field>`). NOT_FOUND; ABORTED if
  /// expected_version is stale; FAILED_PRECONDITION if the account is deleted; ALREADY_EXISTS
  /// (`user.email`) if the new email is taken. If no masked field actually changes, nothing is
  /// written and the current account is returned.
  absl::StatusOr<User> Update(const UserUpdate& update, const Actor& actor);

  /// Soft-deletes (status deleted, delete_time and purge_time set, sessions revoked with reason
  /// "user_deleted") and writes `user.deleted`. NOT_FOUND; ABORTED; FAILED_PRECONDITION if
  /// already deleted or the actor is this user; FAILED_PRECONDITION with reason LAST_ADMIN when
  /// the last-admin rule refuses it (see LastAdminCheck). Nothing is written on any error.
  absl::StatusOr<User> SoftDelete(std::string_view id, std::optional<int64_t> expected_version,
                                  const Actor& actor, const LastAdminCheck& admins = {});

  /// Undoes a soft delete, back to the status the account had before, and writes
  /// `user.restored`. NOT_FOUND (also once purged); ABORTED; FAILED_PRECONDITION if not deleted.
  absl::StatusOr<User> Restore(std::string_view id, std::optional<int64_t> expected_version,
                               const Actor& actor);

  /// Disables (status kDisabled, `reason` at most 500 characters kept as disabled_reason,
  /// sessions revoked with reason "user_disabled", event `user.disabled`) or enables (status
  /// kActive, reason cleared, event `user.enabled`) an account. INVALID_ARGUMENT for kDeleted
  /// (`status`; use SoftDelete) or a bad reason (`reason`). NOT_FOUND; ABORTED;
  /// FAILED_PRECONDITION when disabling a deleted, already disabled or the actor's own account,
  /// or enabling one that is not disabled; FAILED_PRECONDITION with reason LAST_ADMIN when
  /// disabling is refused by the last-admin rule (see LastAdminCheck; enabling ignores `admins`).
  absl::StatusOr<User> SetStatus(std::string_view id, UserStatus status, std::string_view reason,
                                 std::optional<int64_t> expected_version, const Actor& actor,
                                 const LastAdminCheck& admins = {});

  /// One page of accounts (see list_users.h for filters, sort, paging and totals).
  /// INVALID_ARGUMENT: `page.page_size` negative, `page.offset` out of 0..10,000 or combined with
  /// a token, `page.page_token` malformed, expired or issued for other filters/sort, and the
  /// filter and sort errors of MakeListSpec.
  absl::StatusOr<ListUsersPage> List(const ListUsersRequest& request);

  /// Pages read through one snapshot all see the database as of its first statement
  /// (REPEATABLE READ, READ ONLY, one pooled connection held until it is destroyed), so an export
  /// of many pages is one moment: no account twice or missing because it changed in between.
  class ListSnapshot {
   public:
    /// List, inside the snapshot.
    absl::StatusOr<ListUsersPage> List(const ListUsersRequest& request);

   private:
    friend class UserStore;
    ListSnapshot(const UserStore& store, pg::PooledConnection conn, pg::Transaction tx)
        : store_(store), conn_(std::move(conn)), tx_(std::move(tx)) {}

    const UserStore& store_;
    pg::PooledConnection conn_;
    pg::Transaction tx_;
  };
  absl::StatusOr<std::unique_ptr<ListSnapshot>> OpenListSnapshot();

 private:
  absl::Time Now() const;
  absl::StatusOr<ListUsersPage> ListOn(pg::Connection& conn, const ListUsersRequest& request) const;

  pg::Pool& pool_;
  UserStoreOptions options_;
};

}  // namespace backoffice::users
