#include "services/users/auth/session_store.h"

#include <catch2/catch.hpp>
#include <mutex>
#include <thread>

#include "libs/pg/with_transaction.h"
#include "services/users/auth/auth_fixture.h"

namespace backoffice::users {
namespace {

using testing::AdminActor;
using testing::AuthFixture;
using testing::SelfActor;

const ClientInfo kClient{.ip_address = "203.0.113.7", .user_agent = "Firefox/130"};

NewSession MustCreate(SessionStore& store, const std::string& user_id, absl::Time now,
                      const ClientInfo& client = kClient) {
  absl::StatusOr<NewSession> created =
      store.Create(user_id, client, false, SelfActor(user_id), now);
  INFO(created.status().ToString());
  REQUIRE(created.ok());
  return *std::move(created);
}

std::string RevokeReason(AuthFixture& db, const std::string& session_id) {
  pg::Result result =
      db.Query("SELECT coalesce(revoke_reason, '') FROM sessions WHERE id = $1", {session_id});
  return *result[0].Get<std::string>(0);
}

TEST_CASE("a session starts with one refresh token stored only as its hash") {
  AuthFixture db;
  SessionStore store(db.pool());
  const std::string user = db.CreateUser("ann", "");
  const absl::Time now = testing::DbNow();
  NewSession session = MustCreate(store, user, now);
  CHECK(session.refresh_token.size() == 46);
  CHECK(session.refresh_token.rfind("rt_", 0) == 0);
  CHECK(session.refresh_token_expire_time == now + absl::Hours(12));
  CHECK(db.Count("SELECT count(*) FROM refresh_tokens WHERE session_id = $1",
                 {session.session_id}) == 1);
  CHECK(db.Count("SELECT count(*) FROM refresh_tokens WHERE position($1::bytea IN token_hash) > 0",
                 {pg::Bytea{session.refresh_token}}) == 0);
  pg::Result event = db.Query(
      "SELECT event_type, actor_type, actor_id, request_id, after->>'user_id', "
      "after->>'ip_address' FROM outbox");
  REQUIRE(event.size() == 1);
  CHECK(*event[0].Get<std::string>(0) == "session.created");
  CHECK(*event[0].Get<std::string>(1) == "user");
  CHECK(*event[0].Get<std::string>(2) == user);
  CHECK(*event[0].Get<std::string>(3) == "req-self");
  CHECK(*event[0].Get<std::string>(4) == user);
  CHECK(*event[0].Get<std::string>(5) == "203.0.113.7");
}

TEST_CASE("refresh rotates the token and moves the idle expiry, never the absolute one") {
  AuthFixture db;
  SessionStore store(db.pool(),
                     {.idle_timeout = absl::Hours(1), .absolute_lifetime = absl::Hours(3)});
  const std::string user = db.CreateUser("bob", "");
  const absl::Time t0 = absl::FromUnixSeconds(absl::ToUnixSeconds(testing::DbNow()));
  NewSession session = MustCreate(store, user, t0);
  CHECK(session.refresh_token_expire_time == t0 + absl::Hours(1));

  std::string token = session.refresh_token;
  for (int i = 1; i <= 3; ++i) {
    const absl::Time at = t0 + i * absl::Minutes(50);
    absl::StatusOr<RefreshedSession> next =
        store.Refresh(token, {.ip_address = "2001:db8::1"}, SelfActor(user), at);
    INFO(i << ": " << next.status().ToString());
    REQUIRE(next.ok());
    CHECK(next->session_id == session.session_id);
    CHECK(next->user_id == user);
    CHECK(next->refresh_token != token);
    CHECK(next->refresh_token_expire_time == std::min(at + absl::Hours(1), t0 + absl::Hours(3)));
    token = next->refresh_token;
    pg::Result row = db.Query(
        "SELECT last_used_at, idle_expires_at, absolute_expires_at, host(ip_address) "
        "FROM sessions WHERE id = $1",
        {session.session_id});
    CHECK(*row[0].Get<absl::Time>(0) == at);
    CHECK(*row[0].Get<absl::Time>(1) == at + absl::Hours(1));
    CHECK(*row[0].Get<absl::Time>(2) == t0 + absl::Hours(3));
    CHECK(*row[0].Get<std::string>(3) == "2001:db8::1");
  }
  CHECK(db.Count("SELECT count(*) FROM refresh_tokens WHERE session_id = $1 AND used_at IS NULL",
                 {session.session_id}) == 1);
  // 200 minutes: within the idle window of the last refresh, past the absolute expiry.
  absl::StatusOr<RefreshedSession> late =
      store.Refresh(token, kClient, SelfActor(user), t0 + absl::Minutes(180));
  CHECK(late.status().code() == absl::StatusCode::kUnauthenticated);
  CHECK(late.status().message() == "session has expired");
}

TEST_CASE("a refresh after the idle timeout fails") {
  AuthFixture db;
  SessionStore store(db.pool());
  const std::string user = db.CreateUser("cyd", "");
  const absl::Time t0 = testing::DbNow();
  NewSession session = MustCreate(store, user, t0);
  CHECK(store.Refresh(session.refresh_token, kClient, SelfActor(user), t0 + absl::Hours(12))
            .status()
            .code() == absl::StatusCode::kUnauthenticated);
  CHECK(store
            .Refresh(session.refresh_token, kClient, SelfActor(user),
                     t0 + absl::Hours(12) - absl::Seconds(1))
            .ok());
}

TEST_CASE("reusing a rotated refresh token revokes the whole session") {
  AuthFixture db;
  SessionStore store(db.pool());
  const std::string user = db.CreateUser("dee", "");
  const absl::Time t0 = testing::DbNow();
  NewSession session = MustCreate(store, user, t0);
  absl::StatusOr<RefreshedSession> second =
      store.Refresh(session.refresh_token, kClient, SelfActor(user), t0 + absl::Minutes(1));
  REQUIRE(second.ok());

  absl::StatusOr<RefreshedSession> replay =
      store.Refresh(session.refresh_token, kClient, Actor{}, t0 + absl::Minutes(2));
  CHECK(replay.status().code() == absl::StatusCode::kUnauthenticated);
  CHECK(ErrorReasonOf(replay.status()) == kReasonRefreshTokenReused);
  CHECK(RevokeReason(db, session.session_id) == "refresh_token_reused");
  CHECK(db.CountEvents("session.revoked") == 1);

  // The newer token died with the family.
  absl::StatusOr<RefreshedSession> newer =
      store.Refresh(second->refresh_token, kClient, SelfActor(user), t0 + absl::Minutes(3));
  CHECK(newer.status().code() == absl::StatusCode::kUnauthenticated);
  CHECK(ErrorReasonOf(newer.status()).empty());
  // Unknown and malformed tokens.
  CHECK(store.Refresh("rt_" + std::string(43, 'A'), kClient, Actor{}, t0).status().code() ==
        absl::StatusCode::kUnauthenticated);
  CHECK(store.Refresh("garbage", kClient, Actor{}, t0).status().code() ==
        absl::StatusCode::kUnauthenticated);
}

TEST_CASE("eight concurrent refreshes of one token: exactly one wins") {
  AuthFixture db(/*pool_size=*/9);
  SessionStore store(db.pool());
  const std::string user = db.CreateUser("eve", "");
  const absl::Time t0 = testing::DbNow();
  NewSession session = MustCreate(store, user, t0);

  std::mutex mutex;
  std::vector<absl::StatusOr<RefreshedSession>> results;
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      absl::StatusOr<RefreshedSession> r =
          store.Refresh(session.refresh_token, kClient, SelfActor(user), t0 + absl::Seconds(1));
      std::lock_guard<std::mutex> lock(mutex);
      results.push_back(std::move(r));
    });
  }
  for (std::thread& t : threads) {
    t.join();
  }
  int successes = 0;
  for (const auto& r : results) {
    if (r.ok()) {
      ++successes;
    } else {
      INFO(r.status().ToString());
      CHECK(r.status().code() == absl::StatusCode::kUnauthenticated);
      CHECK(ErrorReasonOf(r.status()) == kReasonRefreshTokenReused);
    }
  }
  CHECK(successes == 1);
  // The losers presented a used token: reuse, so the session is revoked, once.
  CHECK(RevokeReason(db, session.session_id) == "refresh_token_reused");
  CHECK(db.CountEvents("session.revoked") == 1);
  CHECK(db.Count("SELECT count(*) FROM refresh_tokens WHERE session_id = $1",
                 {session.session_id}) == 2);
}

TEST_CASE("refresh fails for a disabled, deleted or locked account") {
  AuthFixture db;
  SessionStore store(db.pool());
  const absl::Time t0 = testing::DbNow();
  for (const std::string status : {"disabled", "deleted", "locked"}) {
    const std::string user = db.CreateUser("u-" + status, "");
    NewSession session = MustCreate(store, user, t0);
    if (status == "locked") {
      db.Query("UPDATE users SET locked_until = $2 WHERE id = $1", {user, t0 + absl::Hours(1)});
    } else {
      db.SetStatus(user, status);
    }
    absl::StatusOr<RefreshedSession> r =
        store.Refresh(session.refresh_token, kClient, SelfActor(user), t0 + absl::Seconds(1));
    INFO(status << ": " << r.status().ToString());
    CHECK(r.status().code() == absl::StatusCode::kUnauthenticated);
  }
}

TEST_CASE("list sessions: live ones, newest first, paged, with the current one marked") {
  AuthFixture db;
  SessionStore store(db.pool());
  const std::string user = db.CreateUser("fay", "");
  const std::string other = db.CreateUser("gus", "");
  const absl::Time t0 = absl::FromUnixSeconds(absl::ToUnixSeconds(testing::DbNow()));
  std::vector<NewSession> sessions;
  for (int i = 0; i < 4; ++i) {
    sessions.push_back(MustCreate(store, user, t0 + absl::Seconds(i)));
  }
  MustCreate(store, other, t0);
  REQUIRE(store.Revoke(sessions[0].session_id, user, kRevokeRevoked, SelfActor(user), t0).ok());

  absl::StatusOr<SessionPage> first = store.List(user, sessions[2].session_id, 2, "", t0);
  REQUIRE(first.ok());
  CHECK(first->total_size == 3);
  REQUIRE(first->sessions.size() == 2);
  CHECK(first->sessions[0].id == sessions[3].session_id);
  CHECK(first->sessions[1].id == sessions[2].session_id);
  CHECK_FALSE(first->sessions[0].current);
  CHECK(first->sessions[1].current);
  CHECK(first->sessions[0].ip_address == "203.0.113.7");
  CHECK(first->sessions[0].user_agent == "Firefox/130");
  CHECK(first->sessions[0].expire_time == t0 + absl::Seconds(3) + absl::Hours(12));
  REQUIRE_FALSE(first->next_page_token.empty());

  absl::StatusOr<SessionPage> second = store.List(user, "", 2, first->next_page_token, t0);
  REQUIRE(second.ok());
  REQUIRE(second->sessions.size() == 1);
  CHECK(second->sessions[0].id == sessions[1].session_id);
  CHECK(second->next_page_token.empty());

  CHECK(store.List(user, "", 501, "", t0).status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(store.List(user, "", 0, "nonsense", t0).status().code() ==
        absl::StatusCode::kInvalidArgument);
  // Expired sessions are not listed.
  CHECK(store.List(user, "", 0, "", t0 + absl::Hours(13))->total_size == 0);
}

TEST_CASE("revoke one, revoke all, logout") {
  AuthFixture db;
  SessionStore store(db.pool());
  const std::string user = db.CreateUser("hal", "");
  const std::string other = db.CreateUser("ivy", "");
  const absl::Time t0 = testing::DbNow();
  NewSession a = MustCreate(store, user, t0);
  NewSession b = MustCreate(store, user, t0);
  NewSession c = MustCreate(store, user, t0);
  NewSession foreign = MustCreate(store, other, t0);

  // Another user's session looks unknown; an unknown id is NOT_FOUND; a bad id is invalid.
  CHECK(store.Revoke(foreign.session_id, user, kRevokeRevoked, SelfActor(user), t0).code() ==
        absl::StatusCode::kNotFound);
  CHECK(store
            .Revoke("0190b5f2-0000-7000-8000-000000000000", std::nullopt, kRevokeRevoked,
                    AdminActor(), t0)
            .code() == absl::StatusCode::kNotFound);
  CHECK(store.Revoke("x", std::nullopt, kRevokeRevoked, AdminActor(), t0).code() ==
        absl::StatusCode::kInvalidArgument);
  REQUIRE(store.Revoke(a.session_id, user, kRevokeRevoked, SelfActor(user), t0).ok());
  REQUIRE(store.Revoke(a.session_id, user, kRevokeRevoked, SelfActor(user), t0).ok());
  CHECK(db.CountEvents("session.revoked") == 1);
  CHECK(store.Refresh(a.refresh_token, kClient, SelfActor(user), t0).status().code() ==
        absl::StatusCode::kUnauthenticated);

  absl::StatusOr<int> count = store.RevokeAll(user, kRevokeRevoked, AdminActor(), t0, b.session_id);
  REQUIRE(count.ok());
  CHECK(*count == 1);
  CHECK(RevokeReason(db, c.session_id) == "revoked");
  CHECK(RevokeReason(db, b.session_id).empty());
  CHECK(RevokeReason(db, foreign.session_id).empty());
  CHECK(store.RevokeAll("0190b5f2-0000-7000-8000-000000000000", kRevokeRevoked, AdminActor(), t0)
            .status()
            .code() == absl::StatusCode::kNotFound);

  // Logout by refresh token, idempotent.
  absl::StatusOr<std::optional<std::string>> ended =
      store.RevokeByRefreshToken(b.refresh_token, SelfActor(user), t0);
  REQUIRE(ended.ok());
  CHECK(ended->value_or("") == b.session_id);
  CHECK(RevokeReason(db, b.session_id) == "logout");
  ended = store.RevokeByRefreshToken(b.refresh_token, SelfActor(user), t0);
  REQUIRE(ended.ok());
  CHECK_FALSE(ended->has_value());
  CHECK(store.RevokeByRefreshToken("nope", SelfActor(user), t0).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(db.CountEvents("session.revoked") == 3);
}

TEST_CASE("RevokeAllForUser joins the caller's transaction") {
  AuthFixture db;
  SessionStore store(db.pool());
  const std::string user = db.CreateUser("jo", "");
  const absl::Time t0 = testing::DbNow();
  MustCreate(store, user, t0);
  MustCreate(store, user, t0);
  absl::Status rolled_back = pg::WithTransaction(db.pool(), [&](pg::Transaction& tx) {
    absl::StatusOr<int> n =
        SessionStore::RevokeAllForUser(tx, user, kRevokeUserDisabled, AdminActor(), t0);
    CHECK(n.ok());
    CHECK(*n == 2);
    return absl::AbortedError("the outer change failed");
  });
  CHECK(rolled_back.code() == absl::StatusCode::kAborted);
  CHECK(db.Count("SELECT count(*) FROM sessions WHERE revoked_at IS NULL") == 2);
  CHECK(db.CountEvents("session.revoked") == 0);

  REQUIRE(pg::WithTransaction(db.pool(), [&](pg::Transaction& tx) {
            return SessionStore::RevokeAllForUser(tx, user, kRevokeUserDisabled, AdminActor(), t0)
                .status();
          }).ok());
  CHECK(db.Count("SELECT count(*) FROM sessions WHERE revoke_reason = 'user_disabled'") == 2);
  CHECK(db.CountEvents("session.revoked") == 2);
}

}  // namespace
}  // namespace backoffice::users
