#include "services/users/auth/lockout_store.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <utility>

#include "libs/ids/uuid.h"
#include "libs/outbox/outbox.h"
#include "libs/pg/with_transaction.h"
#include "services/users/auth/auth_events.h"
#include "services/users/auth/auth_queries.h"

namespace backoffice::users {
namespace {

namespace json = boost::json;

std::optional<absl::Time> OptionalTime(const std::optional<absl::Time>& time) { return time; }

json::object StateJson(const LockoutState& state) {
  json::object object;
  object["failed_attempts"] = state.failed_attempts;
  object["lock_count"] = state.lock_count;
  if (state.locked_until) {
    object["locked_until"] = TimeJson(*state.locked_until);
  }
  return object;
}

}  // namespace

LockoutStore::LockoutStore(pg::Pool& pool, LoginThrottle throttle)
    : pool_(pool), throttle_(std::move(throttle)) {}

absl::StatusOr<LockoutState> LockoutStore::StateFromRow(const pg::Row& row) {
  absl::StatusOr<int32_t> failed = row.Get<int32_t>("failed_logins");
  absl::StatusOr<std::optional<absl::Time>> last =
      row.Get<std::optional<absl::Time>>("last_failed_login_at");
  absl::StatusOr<std::optional<absl::Time>> locked =
      row.Get<std::optional<absl::Time>>("locked_until");
  absl::StatusOr<int32_t> locks = row.Get<int32_t>("lock_count");
  for (const absl::Status& s : {failed.status(), last.status(), locked.status(), locks.status()}) {
    if (!s.ok()) {
      return s;
    }
  }
  return LockoutState{.failed_attempts = *failed,
                      .last_failure_time = *last,
                      .locked_until = *locked,
                      .lock_count = *locks};
}

absl::StatusOr<LockoutState> LockoutStore::ReadUnknown(std::string_view email) {
  absl::StatusOr<pg::PooledConnection> conn = pool_.Acquire();
  if (!conn.ok()) {
    return conn.status();
  }
  absl::StatusOr<pg::Result> rows = (*conn)->Execute(auth_sql::kGetUnknownLockout, {email});
  if (!rows.ok()) {
    return rows.status();
  }
  if (rows->empty()) {
    return LockoutState{};
  }
  return StateFromRow((*rows)[0]);
}

absl::StatusOr<LockoutState> LockoutStore::RecordUserFailure(
    pg::Transaction& tx, std::string_view user_id, std::string_view reason,
    std::string_view ip_address, const Actor& actor, absl::Time now) const {
  absl::StatusOr<pg::Result> rows = tx.Execute(auth_sql::kLockUserLockout, {user_id});
  if (!rows.ok()) {
    return rows.status();
  }
  if (rows->empty()) {
    return absl::NotFoundError("user not found");
  }
  absl::StatusOr<LockoutState> before = StateFromRow((*rows)[0]);
  if (!before.ok()) {
    return before.status();
  }
  const LockoutState after = throttle_.AfterFailure(*before, now);
  if (absl::StatusOr<pg::Result> r = tx.Execute(
          auth_sql::kSaveUserLockout,
          {user_id, int32_t{after.failed_attempts}, OptionalTime(after.last_failure_time),
           OptionalTime(after.locked_until), int32_t{after.lock_count}, ip_address});
      !r.ok()) {
    return r.status();
  }
  outbox::OutboxEvent failed = NewEvent("user", user_id, "login.failed", actor, now);
  json::object metadata = StateJson(after);
  metadata["reason"] = reason;
  metadata["ip_address"] = ip_address;
  failed.metadata = json::serialize(metadata);
  if (absl::Status s = outbox::AppendToOutbox(tx, failed); !s.ok()) {
    return s;
  }
  const bool newly_locked =
      LoginThrottle::IsLocked(after, now) && !LoginThrottle::IsLocked(*before, now);
  if (newly_locked) {
    outbox::OutboxEvent locked = NewEvent("user", user_id, "lock.set", actor, now);
    locked.before = json::serialize(StateJson(*before));
    locked.after = json::serialize(StateJson(after));
    if (absl::Status s = outbox::AppendToOutbox(tx, locked); !s.ok()) {
      return s;
    }
  }
  return after;
}

absl::StatusOr<LockoutState> LockoutStore::RecordUnknownFailure(pg::Transaction& tx,
                                                                std::string_view email,
                                                                std::string_view ip_address,
                                                                const Actor& actor,
                                                                absl::Time now) const {
  if (absl::StatusOr<pg::Result> r = tx.Execute(auth_sql::kEnsureUnknownLockout, {email});
      !r.ok()) {
    return r.status();
  }
  absl::StatusOr<pg::Result> rows = tx.Execute(auth_sql::kLockUnknownLockout, {email});
  if (!rows.ok()) {
    return rows.status();
  }
  if (rows->empty()) {
    return absl::InternalError("unknown-email lockout row vanished");
  }
  absl::StatusOr<LockoutState> before = StateFromRow((*rows)[0]);
  if (!before.ok()) {
    return before.status();
  }
  const LockoutState after = throttle_.AfterFailure(*before, now);
  if (absl::StatusOr<pg::Result> r =
          tx.Execute(auth_sql::kSaveUnknownLockout,
                     {email, int32_t{after.failed_attempts}, OptionalTime(after.last_failure_time),
                      OptionalTime(after.locked_until), int32_t{after.lock_count}});
      !r.ok()) {
    return r.status();
  }
  outbox::OutboxEvent failed = NewEvent("login", "unknown", "login.failed", actor, now);
  json::object metadata = StateJson(after);
  metadata["reason"] = "unknown_email";
  metadata["ip_address"] = ip_address;
  failed.metadata = json::serialize(metadata);
  if (absl::Status s = outbox::AppendToOutbox(tx, failed); !s.ok()) {
    return s;
  }
  return after;
}

absl::Status LockoutStore::ResetUser(pg::Transaction& tx, std::string_view user_id) {
  const LockoutState clear = LoginThrottle::Reset();
  return tx
      .Execute(auth_sql::kSaveUserLockout,
               {user_id, int32_t{clear.failed_attempts}, std::optional<absl::Time>(),
                std::optional<absl::Time>(), int32_t{clear.lock_count}, ""})
      .status();
}

LockoutInfo LockoutStore::InfoAt(std::string_view user_id, const LockoutState& state,
                                 std::string ip, absl::Time now) const {
  LockoutInfo info;
  info.user_id = std::string(user_id);
  info.locked = LoginThrottle::IsLocked(state, now);
  info.failed_attempts = throttle_.FailuresCounted(state, now);
  if (info.locked) {
    info.locked_until = state.locked_until;
  }
  info.lock_count = state.lock_count;
  if (info.failed_attempts > 0 || info.locked) {
    info.last_failure_time = state.last_failure_time;
    info.last_failure_ip_address = std::move(ip);
  }
  return info;
}

absl::StatusOr<LockoutInfo> LockoutStore::Get(std::string_view user_id, absl::Time now) {
  if (!ids::ParseUuid(user_id).ok()) {
    return absl::InvalidArgumentError("user_id: not a UUID");
  }
  absl::StatusOr<pg::PooledConnection> conn = pool_.Acquire();
  if (!conn.ok()) {
    return conn.status();
  }
  absl::StatusOr<pg::Result> rows = (*conn)->Execute(auth_sql::kGetUserLockout, {user_id});
  if (!rows.ok()) {
    return rows.status();
  }
  if (rows->empty()) {
    return absl::NotFoundError("user not found");
  }
  absl::StatusOr<LockoutState> state = StateFromRow((*rows)[0]);
  absl::StatusOr<std::string> ip = (*rows)[0].Get<std::string>("last_failed_login_ip");
  if (!state.ok() || !ip.ok()) {
    return state.ok() ? ip.status() : state.status();
  }
  return InfoAt(user_id, *state, *ip, now);
}

absl::StatusOr<LockoutInfo> LockoutStore::Unlock(std::string_view user_id, const Actor& actor,
                                                 absl::Time now) {
  if (!ids::ParseUuid(user_id).ok()) {
    return absl::InvalidArgumentError("user_id: not a UUID");
  }
  absl::Status status = pg::WithTransaction(pool_, [&](pg::Transaction& tx) -> absl::Status {
    absl::StatusOr<pg::Result> rows = tx.Execute(auth_sql::kLockUserLockout, {user_id});
    if (!rows.ok()) {
      return rows.status();
    }
    if (rows->empty()) {
      return absl::NotFoundError("user not found");
    }
    absl::StatusOr<LockoutState> before = StateFromRow((*rows)[0]);
    if (!before.ok()) {
      return before.status();
    }
    if (*before == LoginThrottle::Reset()) {
      return absl::OkStatus();
    }
    if (absl::Status s = ResetUser(tx, user_id); !s.ok()) {
      return s;
    }
    outbox::OutboxEvent cleared = NewEvent("user", user_id, "lock.cleared", actor, now);
    cleared.before = json::serialize(StateJson(*before));
    cleared.after = json::serialize(StateJson(LoginThrottle::Reset()));
    return outbox::AppendToOutbox(tx, cleared);
  });
  if (!status.ok()) {
    return status;
  }
  return Get(user_id, now);
}

absl::StatusOr<int64_t> LockoutStore::PurgeUnknown(absl::Time now) {
  absl::StatusOr<pg::PooledConnection> conn = pool_.Acquire();
  if (!conn.ok()) {
    return conn.status();
  }
  absl::StatusOr<pg::Result> deleted =
      (*conn)->Execute(auth_sql::kPurgeUnknownLockout, {now - absl::Hours(24), now});
  if (!deleted.ok()) {
    return deleted.status();
  }
  return deleted->affected_rows();
}

}  // namespace backoffice::users
