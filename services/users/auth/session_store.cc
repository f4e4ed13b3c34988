#include "services/users/auth/session_store.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/ids/uuid.h"
#include "libs/outbox/outbox.h"
#include "libs/pg/with_transaction.h"
#include "services/users/auth/auth_events.h"
#include "services/users/auth/auth_queries.h"

namespace backoffice::users {
namespace {

namespace json = boost::json;

std::optional<std::string> IpParam(const ClientInfo& client) {
  if (client.ip_address.empty()) {
    return std::nullopt;
  }
  return client.ip_address;
}

absl::Status WriteRevokedEvent(pg::Transaction& tx, std::string_view session_id,
                               std::string_view user_id, std::string_view reason,
                               const Actor& actor, absl::Time now) {
  outbox::OutboxEvent event = NewEvent("session", session_id, "session.revoked", actor, now);
  json::object metadata;
  metadata["user_id"] = user_id;
  metadata["reason"] = reason;
  event.metadata = json::serialize(metadata);
  return outbox::AppendToOutbox(tx, event);
}

absl::Status CheckUuid(std::string_view value, std::string_view field) {
  absl::StatusOr<ids::Uuid> uuid = ids::ParseUuid(value);
  if (!uuid.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(absl::string_view(field.data(), field.size()), ": not a UUID"));
  }
  return absl::OkStatus();
}

absl::Status Unauthenticated(std::string_view message) {
  return absl::UnauthenticatedError(absl::string_view(message.data(), message.size()));
}

}  // namespace

SessionStore::SessionStore(pg::Pool& pool, SessionPolicy policy)
    : pool_(pool),
      policy_(policy),
      token_format_(*OpaqueTokenFormat::Create(kRefreshTokenPrefix)) {}

absl::StatusOr<NewSession> SessionStore::Create(pg::Transaction& tx, std::string_view user_id,
                                                const ClientInfo& client, bool second_factor_used,
                                                const Actor& actor, absl::Time now) const {
  if (absl::Status status = CheckUuid(user_id, "user_id"); !status.ok()) {
    return status;
  }
  const std::string session_id = ids::NewUuidV7().ToString();
  const absl::Time idle_expiry = now + policy_.idle_timeout;
  const absl::Time absolute_expiry = now + policy_.absolute_lifetime;
  absl::StatusOr<pg::Result> inserted =
      tx.Execute(auth_sql::kInsertSession, {session_id, user_id, client.user_agent, IpParam(client),
                                            now, idle_expiry, absolute_expiry, second_factor_used});
  if (!inserted.ok()) {
    return inserted.status();
  }
  OpaqueToken token = token_format_.Generate();
  if (absl::StatusOr<pg::Result> r =
          tx.Execute(auth_sql::kInsertRefreshToken, {pg::Bytea{token.hash}, session_id, now});
      !r.ok()) {
    return r.status();
  }
  outbox::OutboxEvent event = NewEvent("session", session_id, "session.created", actor, now);
  json::object after;
  after["session_id"] = session_id;
  after["user_id"] = user_id;
  after["ip_address"] = client.ip_address;
  after["user_agent"] = client.user_agent;
  after["second_factor_used"] = second_factor_used;
  after["created_at"] = TimeJson(now);
  after["absolute_expires_at"] = TimeJson(absolute_expiry);
  event.after = json::serialize(after);
  if (absl::Status status = outbox::AppendToOutbox(tx, event); !status.ok()) {
    return status;
  }
  return NewSession{.session_id = session_id,
                    .refresh_token = std::move(token.token),
                    .refresh_token_expire_time = std::min(idle_expiry, absolute_expiry)};
}

absl::StatusOr<NewSession> SessionStore::Create(std::string_view user_id, const ClientInfo& client,
                                                bool second_factor_used, const Actor& actor,
                                                absl::Time now) {
  absl::StatusOr<NewSession> created;
  absl::Status status = pg::WithTransaction(pool_, [&](pg::Transaction& tx) {
    created = Create(tx, user_id, client, second_factor_used, actor, now);
    return created.status();
  });
  if (!status.ok()) {
    return status;
  }
  return created;
}

absl::StatusOr<RefreshedSession> SessionStore::Refresh(std::string_view refresh_token,
                                                       const ClientInfo& client, const Actor& actor,
                                                       absl::Time now) {
  absl::StatusOr<std::string> hash = token_format_.HashOf(refresh_token);
  if (!hash.ok()) {
    return Unauthenticated("refresh token is malformed");
  }
  // The transaction commits in every case below that changes something (rotation, or revocation
  // on reuse); `outcome` carries the answer out of it.
  absl::StatusOr<RefreshedSession> outcome;
  absl::Status status = pg::WithTransaction(pool_, [&](pg::Transaction& tx) -> absl::Status {
    absl::StatusOr<pg::Result> rows = tx.Execute(auth_sql::kLockRefreshToken, {pg::Bytea{*hash}});
    if (!rows.ok()) {
      return rows.status();
    }
    if (rows->empty()) {
      outcome = Unauthenticated("refresh token is unknown");
      return absl::OkStatus();
    }
    const pg::Row row = (*rows)[0];
    absl::StatusOr<std::string> session_id = row.Get<std::string>("session_id");
    absl::StatusOr<std::optional<absl::Time>> used_at =
        row.Get<std::optional<absl::Time>>("used_at");
    absl::StatusOr<std::string> user_id = row.Get<std::string>("user_id");
    absl::StatusOr<std::optional<absl::Time>> revoked_at =
        row.Get<std::optional<absl::Time>>("revoked_at");
    absl::StatusOr<absl::Time> idle_expires_at = row.Get<absl::Time>("idle_expires_at");
    absl::StatusOr<absl::Time> absolute_expires_at = row.Get<absl::Time>("absolute_expires_at");
    absl::StatusOr<std::string> user_status = row.Get<std::string>("status");
    absl::StatusOr<std::optional<absl::Time>> locked_until =
        row.Get<std::optional<absl::Time>>("locked_until");
    absl::StatusOr<bool> password_change_required = row.Get<bool>("password_change_required");
    for (const absl::Status& s :
         {session_id.status(), used_at.status(), user_id.status(), revoked_at.status(),
          idle_expires_at.status(), absolute_expires_at.status(), user_status.status(),
          locked_until.status(), password_change_required.status()}) {
      if (!s.ok()) {
        return s;
      }
    }
    if (used_at->has_value()) {
      // Reuse: someone holds an old token. End the whole family, whoever is the thief.
      absl::StatusOr<pg::Result> revoked =
          tx.Execute(auth_sql::kRevokeSession, {*session_id, now, kRevokeRefreshTokenReused});
      if (!revoked.ok()) {
        return revoked.status();
      }
      if (revoked->affected_rows() > 0) {
        if (absl::Status s =
                WriteRevokedEvent(tx, *session_id, *user_id, kRevokeRefreshTokenReused, actor, now);
            !s.ok()) {
          return s;
        }
      }
      outcome = WithErrorReason(
          Unauthenticated("refresh token was already used; the session has been revoked"),
          kReasonRefreshTokenReused);
      return absl::OkStatus();
    }
    if (revoked_at->has_value()) {
      outcome = Unauthenticated("session has ended");
      return absl::OkStatus();
    }
    if (now >= *idle_expires_at || now >= *absolute_expires_at) {
      outcome = Unauthenticated("session has expired");
      return absl::OkStatus();
    }
    if (*user_status != "active") {
      outcome = Unauthenticated("account is not active");
      return absl::OkStatus();
    }
    if (locked_until->has_value() && now < **locked_until) {
      outcome = Unauthenticated("account is locked");
      return absl::OkStatus();
    }
    if (absl::StatusOr<pg::Result> r =
            tx.Execute(auth_sql::kMarkRefreshTokenUsed, {pg::Bytea{*hash}, now});
        !r.ok()) {
      return r.status();
    }
    OpaqueToken next = token_format_.Generate();
    if (absl::StatusOr<pg::Result> r =
            tx.Execute(auth_sql::kInsertRefreshToken, {pg::Bytea{next.hash}, *session_id, now});
        !r.ok()) {
      return r.status();
    }
    const absl::Time idle_expiry = now + policy_.idle_timeout;
    if (absl::StatusOr<pg::Result> r =
            tx.Execute(auth_sql::kTouchSession, {*session_id, now, idle_expiry, IpParam(client)});
        !r.ok()) {
      return r.status();
    }
    outcome = RefreshedSession{
        .session_id = *session_id,
        .user_id = *user_id,
        .refresh_token = std::move(next.token),
        .refresh_token_expire_time = std::min(idle_expiry, *absolute_expires_at),
        .password_change_required = *password_change_required,
    };
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  return outcome;
}

absl::StatusOr<std::optional<std::string>> SessionStore::RevokeByRefreshToken(
    std::string_view refresh_token, const Actor& actor, absl::Time now) {
  absl::StatusOr<std::string> hash = token_format_.HashOf(refresh_token);
  if (!hash.ok()) {
    return absl::InvalidArgumentError("refresh_token: malformed");
  }
  std::optional<std::string> ended;
  absl::Status status = pg::WithTransaction(pool_, [&](pg::Transaction& tx) -> absl::Status {
    ended.reset();
    absl::StatusOr<pg::Result> rows = tx.Execute(auth_sql::kLockRefreshToken, {pg::Bytea{*hash}});
    if (!rows.ok() || rows->empty()) {
      return rows.status();
    }
    absl::StatusOr<std::string> session_id = (*rows)[0].Get<std::string>("session_id");
    absl::StatusOr<std::string> user_id = (*rows)[0].Get<std::string>("user_id");
    if (!session_id.ok() || !user_id.ok()) {
      return session_id.ok() ? user_id.status() : session_id.status();
    }
    absl::StatusOr<pg::Result> revoked =
        tx.Execute(auth_sql::kRevokeSession, {*session_id, now, kRevokeLogout});
    if (!revoked.ok()) {
      return revoked.status();
    }
    if (revoked->affected_rows() == 0) {
      return absl::OkStatus();  // already ended
    }
    ended = *session_id;
    return WriteRevokedEvent(tx, *session_id, *user_id, kRevokeLogout, actor, now);
  });
  if (!status.ok()) {
    return status;
  }
  return ended;
}

absl::Status SessionStore::Revoke(std::string_view session_id,
                                  std::optional<std::string_view> owner_user_id,
                                  std::string_view reason, const Actor& actor, absl::Time now) {
  if (absl::Status status = CheckUuid(session_id, "session_id"); !status.ok()) {
    return status;
  }
  return pg::WithTransaction(pool_, [&](pg::Transaction& tx) -> absl::Status {
    absl::StatusOr<pg::Result> rows = tx.Execute(auth_sql::kLockSession, {session_id});
    if (!rows.ok()) {
      return rows.status();
    }
    if (rows->empty()) {
      return absl::NotFoundError("session not found");
    }
    absl::StatusOr<std::string> user_id = (*rows)[0].Get<std::string>("user_id");
    if (!user_id.ok()) {
      return user_id.status();
    }
    if (owner_user_id.has_value() && *owner_user_id != *user_id) {
      return absl::NotFoundError("session not found");
    }
    absl::StatusOr<pg::Result> revoked =
        tx.Execute(auth_sql::kRevokeSession, {session_id, now, reason});
    if (!revoked.ok()) {
      return revoked.status();
    }
    if (revoked->affected_rows() == 0) {
      return absl::OkStatus();
    }
    return WriteRevokedEvent(tx, session_id, *user_id, reason, actor, now);
  });
}

absl::StatusOr<int> SessionStore::RevokeAll(std::string_view user_id, std::string_view reason,
                                            const Actor& actor, absl::Time now,
                                            std::optional<std::string_view> keep_session_id) {
  if (absl::Status status = CheckUuid(user_id, "user_id"); !status.ok()) {
    return status;
  }
  int count = 0;
  absl::Status status = pg::WithTransaction(pool_, [&](pg::Transaction& tx) -> absl::Status {
    absl::StatusOr<pg::Result> exists = tx.Execute(auth_sql::kUserExists, {user_id});
    if (!exists.ok()) {
      return exists.status();
    }
    if (exists->empty()) {
      return absl::NotFoundError("user not found");
    }
    absl::StatusOr<int> revoked =
        RevokeAllForUser(tx, user_id, reason, actor, now, keep_session_id);
    if (!revoked.ok()) {
      return revoked.status();
    }
    count = *revoked;
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  return count;
}

absl::StatusOr<int> SessionStore::RevokeAllForUser(
    pg::Transaction& tx, std::string_view user_id, std::string_view reason, const Actor& actor,
    absl::Time now, std::optional<std::string_view> keep_session_id) {
  if (keep_session_id.has_value() && !ids::ParseUuid(*keep_session_id).ok()) {
    keep_session_id.reset();  // not a session id: keeps nothing
  }
  std::optional<std::string> keep;
  if (keep_session_id) {
    keep = std::string(*keep_session_id);
  }
  absl::StatusOr<pg::Result> revoked =
      tx.Execute(auth_sql::kRevokeUserSessions, {user_id, now, reason, keep});
  if (!revoked.ok()) {
    return revoked.status();
  }
  for (const pg::Row& row : *revoked) {
    absl::StatusOr<std::string> session_id = row.Get<std::string>(0);
    if (!session_id.ok()) {
      return session_id.status();
    }
    if (absl::Status s = WriteRevokedEvent(tx, *session_id, user_id, reason, actor, now); !s.ok()) {
      return s;
    }
  }
  return revoked->size();
}

absl::StatusOr<SessionPage> SessionStore::List(std::string_view user_id,
                                               std::string_view current_session_id, int page_size,
                                               std::string_view page_token, absl::Time now) {
  if (absl::Status status = CheckUuid(user_id, "user_id"); !status.ok()) {
    return status;
  }
  if (page_size < 0 || page_size > kMaxPageSize) {
    return absl::InvalidArgumentError("page.page_size: must be between 0 and 500");
  }
  if (page_size == 0) {
    page_size = kDefaultPageSize;
  }
  // Page token: "<created_at unix micros>.<session id>" of the last session shown.
  std::optional<absl::Time> after_time;
  std::optional<std::string> after_id;
  if (!page_token.empty()) {
    const size_t dot = page_token.find('.');
    int64_t micros = 0;
    if (dot == std::string_view::npos ||
        !absl::SimpleAtoi(absl::string_view(page_token.data(), dot), &micros) ||
        !ids::ParseUuid(page_token.substr(dot + 1)).ok()) {
      return absl::InvalidArgumentError("page.page_token: malformed");
    }
    after_time = absl::FromUnixMicros(micros);
    after_id = std::string(page_token.substr(dot + 1));
  }
  absl::StatusOr<pg::PooledConnection> conn = pool_.Acquire();
  if (!conn.ok()) {
    return conn.status();
  }
  absl::StatusOr<pg::Result> rows = (*conn)->Execute(
      auth_sql::kListSessions, {user_id, now, after_time, after_id, int64_t{page_size} + 1});
  if (!rows.ok()) {
    return rows.status();
  }
  SessionPage page;
  for (const pg::Row& row : *rows) {
    if (static_cast<int>(page.sessions.size()) == page_size) {
      const SessionInfo& last = page.sessions.back();
      page.next_page_token = absl::StrCat(absl::ToUnixMicros(last.create_time), ".", last.id);
      break;
    }
    SessionInfo info;
    absl::StatusOr<std::string> id = row.Get<std::string>("id");
    absl::StatusOr<std::string> owner = row.Get<std::string>("user_id");
    absl::StatusOr<std::string> user_agent = row.Get<std::string>("user_agent");
    absl::StatusOr<std::string> device = row.Get<std::string>("device");
    absl::StatusOr<std::optional<std::string>> ip =
        row.Get<std::optional<std::string>>("ip_address");
    absl::StatusOr<absl::Time> created = row.Get<absl::Time>("created_at");
    absl::StatusOr<absl::Time> last_used = row.Get<absl::Time>("last_used_at");
    absl::StatusOr<absl::Time> expires = row.Get<absl::Time>("expires_at");
    absl::StatusOr<bool> second_factor = row.Get<bool>("second_factor_used");
    for (const absl::Status& s :
         {id.status(), owner.status(), user_agent.status(), device.status(), ip.status(),
          created.status(), last_used.status(), expires.status(), second_factor.status()}) {
      if (!s.ok()) {
        return s;
      }
    }
    info.id = *id;
    info.user_id = *owner;
    info.user_agent = *user_agent;
    info.device = *device;
    info.ip_address = ip->value_or("");
    info.create_time = *created;
    info.last_use_time = *last_used;
    info.expire_time = *expires;
    info.second_factor_used = *second_factor;
    info.current = !current_session_id.empty() && info.id == current_session_id;
    page.sessions.push_back(std::move(info));
  }
  absl::StatusOr<pg::Result> count = (*conn)->Execute(auth_sql::kCountSessions, {user_id, now});
  if (!count.ok()) {
    return count.status();
  }
  absl::StatusOr<int64_t> total = (*count)[0].Get<int64_t>(0);
  if (!total.ok()) {
    return total.status();
  }
  page.total_size = *total;
  return page;
}

}  // namespace backoffice::users
