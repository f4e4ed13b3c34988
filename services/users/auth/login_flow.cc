#include "services/users/auth/login_flow.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <utility>

#include "libs/outbox/outbox.h"
#include "libs/pg/with_transaction.h"
#include "services/users/auth/auth_events.h"
#include "services/users/auth/auth_queries.h"

namespace backoffice::users {
namespace {

namespace json = boost::json;

constexpr std::string_view kChallengeGone = "login challenge is unknown or expired";
constexpr std::string_view kWrongCode = "invalid second-factor code";

absl::Status Unauthenticated(std::string_view message) {
  return absl::UnauthenticatedError(absl::string_view(message.data(), message.size()));
}

Actor ActingUser(const Actor& actor, std::string_view user_id) {
  Actor acting = actor;
  acting.type = outbox::kActorUser;
  acting.id = std::string(user_id);
  return acting;
}

std::optional<std::string> IpParam(const ClientInfo& client) {
  if (client.ip_address.empty()) {
    return std::nullopt;
  }
  return client.ip_address;
}

// The columns of lock_login_user.sql that the flows read.
struct LoginUserRow {
  std::string id;
  std::string status;
  std::optional<std::string> password_hash;
  bool totp_enabled = false;
  TotpState totp;
  bool password_change_required = false;
  LockoutState lockout;
};

absl::StatusOr<LoginUserRow> ReadLockedUser(pg::Transaction& tx, std::string_view user_id) {
  absl::StatusOr<pg::Result> rows = tx.Execute(auth_sql::kLockLoginUser, {user_id});
  if (!rows.ok()) {
    return rows.status();
  }
  if (rows->empty()) {
    return absl::NotFoundError("user not found");
  }
  const pg::Row row = (*rows)[0];
  LoginUserRow user;
  absl::StatusOr<std::string> id = row.Get<std::string>("id");
  absl::StatusOr<std::string> status = row.Get<std::string>("status");
  absl::StatusOr<std::optional<std::string>> hash =
      row.Get<std::optional<std::string>>("password_hash");
  absl::StatusOr<bool> totp_enabled = row.Get<bool>("totp_enabled");
  absl::StatusOr<std::optional<pg::Bytea>> secret =
      row.Get<std::optional<pg::Bytea>>("totp_secret_encrypted");
  absl::StatusOr<std::optional<int64_t>> last_step =
      row.Get<std::optional<int64_t>>("totp_last_step");
  absl::StatusOr<bool> pcr = row.Get<bool>("password_change_required");
  absl::StatusOr<LockoutState> lockout = LockoutStore::StateFromRow(row);
  for (const absl::Status& s :
       {id.status(), status.status(), hash.status(), totp_enabled.status(), secret.status(),
        last_step.status(), pcr.status(), lockout.status()}) {
    if (!s.ok()) {
      return s;
    }
  }
  user.id = *id;
  user.status = *status;
  user.password_hash = *hash;
  user.totp_enabled = *totp_enabled;
  user.totp.sealed_secret = *secret ? (*secret)->data : std::string();
  user.totp.last_step = *last_step;
  user.password_change_required = *pcr;
  user.lockout = *lockout;
  return user;
}

absl::Status WriteLoginSucceeded(pg::Transaction& tx, std::string_view user_id,
                                 std::string_view session_id, std::string_view method,
                                 const ClientInfo& client, const Actor& actor, absl::Time now) {
  outbox::OutboxEvent event = NewEvent("user", user_id, "login.succeeded", actor, now);
  json::object metadata;
  metadata["session_id"] = session_id;
  metadata["second_factor"] = method;
  metadata["ip_address"] = client.ip_address;
  event.metadata = json::serialize(metadata);
  return outbox::AppendToOutbox(tx, event);
}

}  // namespace

Authenticator::Authenticator(pg::Pool& pool, const PasswordHasher& hasher, LockoutStore& lockouts,
                             SessionStore& sessions, const TokenIssuer& issuer,
                             std::shared_ptr<const SecretBox> box, AuthenticatorOptions options)
    : pool_(pool),
      hasher_(hasher),
      lockouts_(lockouts),
      sessions_(sessions),
      issuer_(issuer),
      box_(std::move(box)),
      options_(std::move(options)),
      challenge_format_(*OpaqueTokenFormat::Create(kChallengeTokenPrefix)) {}

absl::StatusOr<LoginTokens> Authenticator::Finish(const NewSession& session,
                                                  std::string_view user_id,
                                                  bool password_change_required,
                                                  absl::Time now) const {
  absl::StatusOr<AccessToken> access =
      issuer_.Issue({.user_id = std::string(user_id),
                     .session_id = session.session_id,
                     .password_change_required = password_change_required},
                    now);
  if (!access.ok()) {
    return access.status();
  }
  return LoginTokens{.tokens = {.access_token = std::move(access->token),
                                .access_token_expires_in = access->lifetime,
                                .refresh_token = session.refresh_token,
                                .refresh_token_expire_time = session.refresh_token_expire_time},
                     .user_id = std::string(user_id),
                     .session_id = session.session_id};
}

absl::StatusOr<LoginResult> Authenticator::Login(std::string_view email, std::string_view password,
                                                 const ClientInfo& client_in, const Actor& actor,
                                                 absl::Time now) {
  if (email.empty() || email.size() > kMaxEmailBytes) {
    return absl::InvalidArgumentError("email: must be 1 to 254 bytes");
  }
  if (password.empty() || password.size() > kMaxPasswordBytes) {
    return absl::InvalidArgumentError("password: must be 1 to 1024 bytes");
  }
  absl::StatusOr<ClientInfo> client = NormalizeClientInfo(client_in);
  if (!client.ok()) {
    return client.status();
  }

  // Read without locks: the slow verification below must not hold a row lock.
  std::optional<std::string> user_id;
  std::optional<std::string> stored_hash;
  std::string status;
  LockoutState state;
  {
    absl::StatusOr<pg::PooledConnection> conn = pool_.Acquire();
    if (!conn.ok()) {
      return conn.status();
    }
    absl::StatusOr<pg::Result> rows = (*conn)->Execute(auth_sql::kFindLoginUser, {email});
    if (!rows.ok()) {
      return rows.status();
    }
    if (!rows->empty()) {
      const pg::Row row = (*rows)[0];
      absl::StatusOr<std::string> id = row.Get<std::string>("id");
      absl::StatusOr<std::string> row_status = row.Get<std::string>("status");
      absl::StatusOr<std::optional<std::string>> hash =
          row.Get<std::optional<std::string>>("password_hash");
      absl::StatusOr<LockoutState> lockout = LockoutStore::StateFromRow(row);
      for (const absl::Status& s :
           {id.status(), row_status.status(), hash.status(), lockout.status()}) {
        if (!s.ok()) {
          return s;
        }
      }
      user_id = *id;
      status = *row_status;
      stored_hash = *hash;
      state = *lockout;
    }
  }
  if (!user_id) {
    absl::StatusOr<LockoutState> unknown = lockouts_.ReadUnknown(email);
    if (!unknown.ok()) {
      return unknown.status();
    }
    state = *unknown;
  }

  const LoginAttemptDecision decision = lockouts_.throttle().BeforeAttempt(state, now);
  if (!decision.allowed) {
    return AccountLockedError(decision.retry_after);
  }
  const bool password_ok =
      stored_hash ? hasher_.Verify(*stored_hash, password) : hasher_.VerifyDummy(password);
  std::string failure;
  if (!user_id) {
    failure = "unknown_email";
  } else if (!stored_hash) {
    failure = "no_password";
  } else if (!password_ok) {
    failure = "wrong_password";
  } else if (status != "active") {
    failure = "account_" + status;
  }

  if (!failure.empty()) {
    absl::Status recorded = pg::WithTransaction(pool_, [&](pg::Transaction& tx) {
      if (user_id) {
        return lockouts_
            .RecordUserFailure(tx, *user_id, failure, client->ip_address,
                               ActingUser(actor, *user_id), now)
            .status();
      }
      Actor anonymous = actor;
      anonymous.type = outbox::kActorUser;
      anonymous.id.clear();
      return lockouts_.RecordUnknownFailure(tx, email, client->ip_address, anonymous, now).status();
    });
    if (!recorded.ok()) {
      return recorded;
    }
    options_.sleep(decision.delay);
    return Unauthenticated(kInvalidCredentialsMessage);
  }

  std::optional<std::string> rehashed;
  if (hasher_.NeedsRehash(*stored_hash)) {
    if (absl::StatusOr<std::string> hash = hasher_.Hash(password); hash.ok()) {
      rehashed = *std::move(hash);
    }
  }
  const Actor acting = ActingUser(actor, *user_id);
  absl::StatusOr<LoginResult> outcome;
  absl::Status committed = pg::WithTransaction(pool_, [&](pg::Transaction& tx) -> absl::Status {
    absl::StatusOr<LoginUserRow> user = ReadLockedUser(tx, *user_id);
    if (!user.ok()) {
      return user.status();
    }
    // Re-checked under the row lock: a concurrent failure may have locked the account, or an
    // administrator disabled it, since the unlocked read.
    if (LoginThrottle::IsLocked(user->lockout, now)) {
      outcome = AccountLockedError(*user->lockout.locked_until - now);
      return absl::OkStatus();
    }
    if (user->status != "active" || user->password_hash != stored_hash) {
      outcome = Unauthenticated(kInvalidCredentialsMessage);
      return absl::OkStatus();
    }
    if (rehashed) {
      if (absl::StatusOr<pg::Result> r =
              tx.Execute(auth_sql::kRehashPassword, {*user_id, *stored_hash, *rehashed});
          !r.ok()) {
        return r.status();
      }
    }
    if (user->totp_enabled) {
      OpaqueToken challenge = challenge_format_.Generate();
      const absl::Time expires = now + options_.challenge_lifetime;
      if (absl::StatusOr<pg::Result> r = tx.Execute(
              auth_sql::kInsertLoginChallenge, {pg::Bytea{challenge.hash}, *user_id, now, expires,
                                                client->user_agent, IpParam(*client)});
          !r.ok()) {
        return r.status();
      }
      outcome =
          LoginResult{.challenge = LoginChallenge{
                          .challenge_token = std::move(challenge.token),
                          .methods = {SecondFactorMethod::kTotp, SecondFactorMethod::kRecoveryCode},
                          .expire_time = expires}};
      return absl::OkStatus();
    }
    if (absl::StatusOr<pg::Result> r = tx.Execute(auth_sql::kRecordLogin, {*user_id, now});
        !r.ok()) {
      return r.status();
    }
    absl::StatusOr<NewSession> session =
        sessions_.Create(tx, *user_id, *client, /*second_factor_used=*/false, acting, now);
    if (!session.ok()) {
      return session.status();
    }
    if (absl::Status s =
            WriteLoginSucceeded(tx, *user_id, session->session_id, "none", *client, acting, now);
        !s.ok()) {
      return s;
    }
    absl::StatusOr<LoginTokens> tokens =
        Finish(*session, *user_id, user->password_change_required, now);
    if (!tokens.ok()) {
      return tokens.status();  // no key: roll the session back
    }
    outcome = LoginResult{.tokens = *std::move(tokens)};
    return absl::OkStatus();
  });
  if (!committed.ok()) {
    return committed;
  }
  options_.sleep(decision.delay);
  return outcome;
}

absl::StatusOr<LoginResult> Authenticator::CompleteLogin(std::string_view challenge_token,
                                                         const SecondFactor& factor,
                                                         const ClientInfo& client_in,
                                                         const Actor& actor, absl::Time now) {
  if (factor.code.empty() || factor.code.size() > 64) {
    return absl::InvalidArgumentError(factor.method == SecondFactorMethod::kTotp
                                          ? "totp_code: must be 1 to 64 bytes"
                                          : "recovery_code: must be 1 to 64 bytes");
  }
  absl::StatusOr<ClientInfo> client = NormalizeClientInfo(client_in);
  if (!client.ok()) {
    return client.status();
  }
  absl::StatusOr<std::string> hash = challenge_format_.HashOf(challenge_token);
  if (!hash.ok()) {
    return Unauthenticated(kChallengeGone);
  }
  absl::Duration delay = absl::ZeroDuration();
  absl::StatusOr<LoginResult> outcome;
  absl::Status committed = pg::WithTransaction(pool_, [&](pg::Transaction& tx) -> absl::Status {
    delay = absl::ZeroDuration();
    absl::StatusOr<pg::Result> rows = tx.Execute(auth_sql::kLockLoginChallenge, {pg::Bytea{*hash}});
    if (!rows.ok()) {
      return rows.status();
    }
    if (rows->empty()) {
      outcome = Unauthenticated(kChallengeGone);
      return absl::OkStatus();
    }
    absl::StatusOr<std::string> user_id = (*rows)[0].Get<std::string>("user_id");
    absl::StatusOr<absl::Time> expires = (*rows)[0].Get<absl::Time>("expires_at");
    absl::StatusOr<int32_t> attempts = (*rows)[0].Get<int32_t>("attempts");
    absl::StatusOr<std::string> user_agent = (*rows)[0].Get<std::string>("user_agent");
    for (const absl::Status& s :
         {user_id.status(), expires.status(), attempts.status(), user_agent.status()}) {
      if (!s.ok()) {
        return s;
      }
    }
    auto drop_challenge = [&]() -> absl::Status {
      return tx.Execute(auth_sql::kDeleteLoginChallenge, {pg::Bytea{*hash}}).status();
    };
    if (now >= *expires || *attempts >= options_.challenge_max_attempts) {
      outcome = Unauthenticated(kChallengeGone);
      return drop_challenge();
    }
    if (*user_agent != client->user_agent) {
      outcome = Unauthenticated(kChallengeGone);
      return absl::OkStatus();
    }
    absl::StatusOr<LoginUserRow> user = ReadLockedUser(tx, *user_id);
    if (!user.ok()) {
      return user.status();
    }
    if (user->status != "active" || !user->totp_enabled) {
      outcome = Unauthenticated(kChallengeGone);
      return drop_challenge();
    }
    const LoginAttemptDecision decision = lockouts_.throttle().BeforeAttempt(user->lockout, now);
    if (!decision.allowed) {
      outcome = AccountLockedError(decision.retry_after);
      return absl::OkStatus();
    }
    delay = decision.delay;
    const Actor acting = ActingUser(actor, *user_id);
    absl::StatusOr<bool> accepted =
        ConsumeSecondFactor(tx, *user_id, *box_, user->totp, factor, now);
    if (!accepted.ok()) {
      return accepted.status();
    }
    const std::string method =
        factor.method == SecondFactorMethod::kTotp ? "totp" : "recovery_code";
    if (!*accepted) {
      absl::StatusOr<pg::Result> counted =
          tx.Execute(auth_sql::kCountChallengeAttempt, {pg::Bytea{*hash}});
      if (!counted.ok()) {
        return counted.status();
      }
      absl::StatusOr<LockoutState> after = lockouts_.RecordUserFailure(
          tx, *user_id, "wrong_" + method, client->ip_address, acting, now);
      if (!after.ok()) {
        return after.status();
      }
      if (LoginThrottle::IsLocked(*after, now) ||
          *(*counted)[0].Get<int32_t>(0) >= options_.challenge_max_attempts) {
        if (absl::Status s = drop_challenge(); !s.ok()) {
          return s;
        }
      }
      outcome = Unauthenticated(kWrongCode);
      return absl::OkStatus();
    }
    if (absl::Status s = drop_challenge(); !s.ok()) {
      return s;
    }
    if (absl::StatusOr<pg::Result> r = tx.Execute(auth_sql::kRecordLogin, {*user_id, now});
        !r.ok()) {
      return r.status();
    }
    absl::StatusOr<NewSession> session =
        sessions_.Create(tx, *user_id, *client, /*second_factor_used=*/true, acting, now);
    if (!session.ok()) {
      return session.status();
    }
    if (absl::Status s =
            WriteLoginSucceeded(tx, *user_id, session->session_id, method, *client, acting, now);
        !s.ok()) {
      return s;
    }
    absl::StatusOr<LoginTokens> tokens =
        Finish(*session, *user_id, user->password_change_required, now);
    if (!tokens.ok()) {
      return tokens.status();
    }
    outcome = LoginResult{.tokens = *std::move(tokens)};
    return absl::OkStatus();
  });
  if (!committed.ok()) {
    return committed;
  }
  options_.sleep(delay);
  return outcome;
}

absl::StatusOr<TokenPair> Authenticator::Refresh(std::string_view refresh_token,
                                                 const ClientInfo& client_in, const Actor& actor,
                                                 absl::Time now) {
  if (refresh_token.empty() || refresh_token.size() > kMaxRefreshTokenBytes) {
    return absl::InvalidArgumentError("refresh_token: must be 1 to 128 bytes");
  }
  absl::StatusOr<ClientInfo> client = NormalizeClientInfo(client_in);
  if (!client.ok()) {
    return client.status();
  }
  absl::StatusOr<RefreshedSession> refreshed =
      sessions_.Refresh(refresh_token, *client, actor, now);
  if (!refreshed.ok()) {
    return refreshed.status();
  }
  absl::StatusOr<AccessToken> access =
      issuer_.Issue({.user_id = refreshed->user_id,
                     .session_id = refreshed->session_id,
                     .password_change_required = refreshed->password_change_required},
                    now);
  if (!access.ok()) {
    return access.status();
  }
  return TokenPair{.access_token = std::move(access->token),
                   .access_token_expires_in = access->lifetime,
                   .refresh_token = std::move(refreshed->refresh_token),
                   .refresh_token_expire_time = refreshed->refresh_token_expire_time};
}

absl::Status Authenticator::Logout(std::string_view refresh_token, const Actor& actor,
                                   absl::Time now) {
  if (refresh_token.empty() || refresh_token.size() > kMaxRefreshTokenBytes) {
    return absl::InvalidArgumentError("refresh_token: must be 1 to 128 bytes");
  }
  return sessions_.RevokeByRefreshToken(refresh_token, actor, now).status();
}

absl::StatusOr<LockoutInfo> Authenticator::GetLockout(std::string_view user_id, absl::Time now) {
  return lockouts_.Get(user_id, now);
}

absl::StatusOr<LockoutInfo> Authenticator::Unlock(std::string_view user_id, const Actor& actor,
                                                  absl::Time now) {
  return lockouts_.Unlock(user_id, actor, now);
}

}  // namespace backoffice::users
