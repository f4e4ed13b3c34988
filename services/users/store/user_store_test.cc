// UserStore's single-account calls against a real PostgreSQL migrated with the service's
// migrations: every call, every error, and the outbox rows that go with them.
#include "services/users/store/user_store.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "libs/ids/uuid.h"
#include "services/users/store/store_fixture.h"

namespace backoffice::users {
namespace {

using testing::AdminActor;
using testing::StoreFixture;

constexpr char kUnknownId[] = "0190b5f2-7c1e-7d3a-9f00-0123456789ab";

bool Mentions(const absl::Status& status, const std::string& text) {
  return absl::StrContains(status.message(), text);
}

void InsertSession(StoreFixture& f, const std::string& user_id) {
  f.Query(
      "INSERT INTO sessions (id, user_id, idle_expires_at, absolute_expires_at) "
      "VALUES ($1::uuid, $2::uuid, now() + interval '1 hour', now() + interval '1 day')",
      {ids::NewUuidV7().ToString(), user_id});
}

TEST_CASE("Create stores a normalized account, returns it and writes user.created") {
  StoreFixture f;
  absl::StatusOr<User> user = f.store().Create(
      NewUser{.fields = {.email = "Ann.Lee@Example.COM",
                         .email_verified = true,
                         .phone_number = "+41791234567",
                         .locale = "de-CH",
                         .time_zone = "Europe/Zurich",
                         .attributes = R"({ "department" : "ops", "level": 3 })"},
              .password_hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$SECRETHASH"},
      AdminActor());
  INFO(user.status().ToString());
  REQUIRE(user.ok());
  absl::StatusOr<ids::Uuid> id = ids::ParseUuid(user->id);
  REQUIRE(id.ok());
  CHECK(id->is_v7());
  CHECK(user->email == "Ann.Lee@example.com");  // domain lower-cased, local part as given
  CHECK(user->display_name == "Ann.Lee");       // defaults to the local part
  CHECK(user->status == UserStatus::kActive);
  CHECK(user->email_verified);
  CHECK(user->phone_number == "+41791234567");
  CHECK(user->locale == "de-CH");
  CHECK(user->time_zone == "Europe/Zurich");
  CHECK(user->attributes == R"({"level": 3, "department": "ops"})");
  CHECK(user->password_set);
  CHECK_FALSE(user->password_change_required);
  CHECK(user->password_change_time.has_value());
  CHECK(user->version == 1);
  CHECK(user->create_time == user->update_time);
  CHECK_FALSE(user->delete_time.has_value());
  CHECK(EtagForVersion(user->version) == "v1");

  absl::StatusOr<User> read = f.store().Get(user->id);
  REQUIRE(read.ok());
  CHECK(read->email == user->email);
  CHECK(read->version == 1);

  pg::Result events = f.Query(
      "SELECT event_type, aggregate_type, aggregate_id, actor_type, actor_id, request_id, "
      "trace_id, before IS NULL, after->>'email', after::text FROM outbox");
  REQUIRE(events.size() == 1);
  CHECK(*events[0].Get<std::string>(0) == "user.created");
  CHECK(*events[0].Get<std::string>(1) == "user");
  CHECK(*events[0].Get<std::string>(2) == user->id);
  CHECK(*events[0].Get<std::string>(3) == "user");
  CHECK(*events[0].Get<std::string>(4) == AdminActor().id);
  CHECK(*events[0].Get<std::string>(5) == "req-admin");
  CHECK(*events[0].Get<std::string>(6) == AdminActor().trace_id);
  CHECK(*events[0].Get<bool>(7));
  CHECK(*events[0].Get<std::string>(8) == "Ann.Lee@example.com");
  std::string after = *events[0].Get<std::string>(9);
  CHECK_FALSE(absl::StrContains(after, "SECRETHASH"));
  CHECK_FALSE(absl::StrContains(after, "argon2"));
  CHECK_FALSE(absl::StrContains(after, "password_hash"));
}

TEST_CASE("an email is unique case-insensitively: ALREADY_EXISTS and nothing written") {
  StoreFixture f;
  f.CreateUser("bob");
  absl::StatusOr<User> again =
      f.store().Create(NewUser{.fields = {.email = "BOB@EXAMPLE.com"}}, AdminActor());
  REQUIRE_FALSE(again.ok());
  CHECK(again.status().code() == absl::StatusCode::kAlreadyExists);
  CHECK(Mentions(again.status(), "user.email"));
  CHECK(f.Count("SELECT count(*) FROM users") == 1);
  CHECK(f.EventTypes() == std::vector<std::string>{"user.created"});
}

TEST_CASE("invalid fields are INVALID_ARGUMENT naming the field, and nothing is written") {
  StoreFixture f;
  std::string many_keys = "{";
  for (int i = 0; i < 65; ++i) many_keys += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":1";
  many_keys += "}";
  std::string big = R"({"blob":")" + std::string(16 * 1024, 'x') + "\"}";
  struct Case {
    NewUser input;
    std::string field;
  };
  std::vector<Case> cases = {
      {{.fields = {.email = ""}}, "user.email"},
      {{.fields = {.email = "no-at-sign"}}, "user.email"},
      {{.fields = {.email = "a@b@example.com"}}, "user.email"},
      {{.fields = {.email = ".ann@example.com"}}, "user.email"},
      {{.fields = {.email = "ann@localhost"}}, "user.email"},
      {{.fields = {.email = "ann@-example.com"}}, "user.email"},
      {{.fields = {.email = "ann smith@example.com"}}, "user.email"},
      {{.fields = {.email = "ann@exämple.com"}}, "user.email"},
      {{.fields = {.email = std::string(65, 'a') + "@example.com"}}, "user.email"},
      {{.fields = {.email = "a@" + std::string(250, 'b') + ".com"}}, "user.email"},
      {{.fields = {.email = "ann@example.com", .display_name = std::string(201, 'n')}},
       "user.display_name"},
      {{.fields = {.email = "ann@example.com", .display_name = "Ann\x01"}}, "user.display_name"},
      {{.fields = {.email = "ann@example.com", .display_name = "Ann\xff"}}, "user.display_name"},
      {{.fields = {.email = "ann@example.com", .phone_number = "0791234567"}}, "user.phone_number"},
      {{.fields = {.email = "ann@example.com", .locale = "english please"}}, "user.locale"},
      {{.fields = {.email = "ann@example.com", .time_zone = "Mars/Olympus"}}, "user.time_zone"},
      {{.fields = {.email = "ann@example.com", .time_zone = "../../etc/passwd"}}, "user.time_zone"},
      {{.fields = {.email = "ann@example.com", .attributes = "[1, 2]"}}, "user.attributes"},
      {{.fields = {.email = "ann@example.com", .attributes = "{broken"}}, "user.attributes"},
      {{.fields = {.email = "ann@example.com", .attributes = many_keys}}, "user.attributes"},
      {{.fields = {.email = "ann@example.com", .attributes = big}}, "user.attributes"},
      {{.fields = {.email = "ann@example.com"}, .request_id = std::string(129, 'r')}, "request_id"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<User> user = f.store().Create(c.input, AdminActor());
    INFO(c.field << " " << user.status().ToString());
    REQUIRE_FALSE(user.ok());
    CHECK(user.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(absl::StartsWith(user.status().message(), c.field + ":"));
  }
  CHECK(f.Count("SELECT count(*) FROM users") == 0);
  CHECK(f.Count("SELECT count(*) FROM outbox") == 0);
  // Display names may use any script; 200 characters is the limit, not 200 bytes.
  absl::StatusOr<User> wide =
      f.store().Create(NewUser{.fields = {.email = "zoe@example.com",
                                          .display_name = std::string(200 / 2, 'z') +
                                                          [] {
                                                            std::string s;
                                                            for (int i = 0; i < 100; ++i)
                                                              s += "\xc3\xa9";  // é
                                                            return s;
                                                          }()}},
                       AdminActor());
  INFO(wide.status().ToString());
  CHECK(wide.ok());
}

TEST_CASE("Create with a request_id is idempotent per caller") {
  StoreFixture f;
  NewUser input{.fields = {.email = "carl@example.com", .display_name = "Carl"},
                .request_id = "7b0c2f7e-retry-key"};
  absl::StatusOr<User> first = f.store().Create(input, AdminActor());
  REQUIRE(first.ok());
  absl::StatusOr<User> retry = f.store().Create(input, AdminActor());
  INFO(retry.status().ToString());
  REQUIRE(retry.ok());
  CHECK(retry->id == first->id);
  CHECK(f.Count("SELECT count(*) FROM users") == 1);
  CHECK(f.EventTypes() == std::vector<std::string>{"user.created"});

  SECTION("the same request_id with different input is ALREADY_EXISTS naming request_id") {
    NewUser different = input;
    different.fields.display_name = "Carl Other";
    absl::StatusOr<User> clash = f.store().Create(different, AdminActor());
    REQUIRE_FALSE(clash.ok());
    CHECK(clash.status().code() == absl::StatusCode::kAlreadyExists);
    CHECK(absl::StartsWith(clash.status().message(), "request_id:"));
    CHECK(f.Count("SELECT count(*) FROM users") == 1);
  }
  SECTION("another caller's request_id is its own") {
    Actor other = AdminActor();
    other.id = "0190b5f2-0000-7000-8000-0000000000bb";
    NewUser theirs = input;
    theirs.fields.email = "dora@example.com";
    absl::StatusOr<User> created = f.store().Create(theirs, other);
    REQUIRE(created.ok());
    CHECK(created->id != first->id);
  }
}

TEST_CASE("an expired request_id is forgotten") {
  StoreFixture f(UserStoreOptions{.idempotency_ttl = absl::ZeroDuration()});
  NewUser input{.fields = {.email = "eve@example.com"}, .request_id = "once"};
  REQUIRE(f.store().Create(input, AdminActor()).ok());
  // Not a replay any more: a second create, which the unique email then refuses.
  absl::StatusOr<User> again = f.store().Create(input, AdminActor());
  REQUIRE_FALSE(again.ok());
  CHECK(again.status().code() == absl::StatusCode::kAlreadyExists);
  CHECK(Mentions(again.status(), "user.email"));
}

TEST_CASE("concurrent creates with one request_id create one account") {
  StoreFixture f({}, 8);
  NewUser input{.fields = {.email = "fay@example.com"}, .request_id = "concurrent"};
  constexpr int kThreads = 6;
  std::vector<absl::StatusOr<User>> results(kThreads, absl::UnknownError("not run"));
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] { results[i] = f.store().Create(input, AdminActor()); });
  }
  for (std::thread& t : threads) t.join();
  for (const absl::StatusOr<User>& result : results) {
    INFO(result.status().ToString());
    REQUIRE(result.ok());
    CHECK(result->id == results[0]->id);
  }
  CHECK(f.Count("SELECT count(*) FROM users") == 1);
  CHECK(f.Count("SELECT count(*) FROM outbox") == 1);
}

TEST_CASE("Get: found, malformed id, unknown id, deleted") {
  StoreFixture f;
  User gus = f.CreateUser("gus");
  absl::StatusOr<User> found = f.store().Get(gus.id);
  REQUIRE(found.ok());
  CHECK(found->display_name == "gus");

  absl::StatusOr<User> upper = f.store().Get(absl::AsciiStrToUpper(gus.id));
  REQUIRE(upper.ok());
  CHECK(upper->id == gus.id);

  absl::StatusOr<User> malformed = f.store().Get("42' OR '1'='1");
  CHECK(malformed.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StartsWith(malformed.status().message(), "id:"));

  CHECK(f.store().Get(kUnknownId).status().code() == absl::StatusCode::kNotFound);

  REQUIRE(f.store().SoftDelete(gus.id, std::nullopt, AdminActor()).ok());
  absl::StatusOr<User> deleted = f.store().Get(gus.id);
  REQUIRE(deleted.ok());
  CHECK(deleted->status == UserStatus::kDeleted);
  CHECK(f.store().Get(gus.id, {.include_deleted = false}).status().code() ==
        absl::StatusCode::kNotFound);
}

TEST_CASE("BatchGet keeps request order, returns duplicates once and lists missing ids") {
  StoreFixture f;
  User a = f.CreateUser("a1");
  User b = f.CreateUser("b1");
  User c = f.CreateUser("c1");
  REQUIRE(f.store().SoftDelete(c.id, std::nullopt, AdminActor()).ok());
  std::string missing = ids::NewUuidV7().ToString();
  std::vector<std::string> request = {c.id, missing, a.id, absl::AsciiStrToUpper(c.id), b.id, a.id};
  absl::StatusOr<BatchGetUsersResult> result = f.store().BatchGet(request);
  INFO(result.status().ToString());
  REQUIRE(result.ok());
  REQUIRE(result->users.size() == 3);
  CHECK(result->users[0].id == c.id);
  CHECK(result->users[0].status == UserStatus::kDeleted);
  CHECK(result->users[1].id == a.id);
  CHECK(result->users[2].id == b.id);
  CHECK(result->missing_ids == std::vector<std::string>{missing});

  CHECK(f.store().BatchGet({}).status().code() == absl::StatusCode::kInvalidArgument);
  std::vector<std::string> too_many(501, a.id);
  absl::StatusOr<BatchGetUsersResult> over = f.store().BatchGet(too_many);
  CHECK(over.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StartsWith(over.status().message(), "ids:"));
  std::vector<std::string> bad = {a.id, b.id, "nope"};
  absl::StatusOr<BatchGetUsersResult> malformed = f.store().BatchGet(bad);
  CHECK(malformed.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StartsWith(malformed.status().message(), "ids[2]:"));
  std::vector<std::string> limit(500, b.id);
  CHECK(f.store().BatchGet(limit).ok());
}

TEST_CASE("Update changes only the masked fields and writes user.updated") {
  StoreFixture f;
  User hal = f.CreateUser("hal");
  UserUpdate update{.id = hal.id,
                    .fields = {.email = "ignored@example.com",
                               .display_name = "  Hal Jordan  ",
                               .phone_number = "+12025550123",
                               .attributes = R"({"team":"blue"})"},
                    .update_mask = {"display_name", "attributes"},
                    .expected_version = hal.version};
  absl::StatusOr<User> updated = f.store().Update(update, AdminActor());
  INFO(updated.status().ToString());
  REQUIRE(updated.ok());
  CHECK(updated->display_name == "Hal Jordan");
  CHECK(updated->attributes == R"({"team": "blue"})");
  CHECK(updated->email == "hal@example.com");
  CHECK(updated->phone_number.empty());
  CHECK(updated->version == hal.version + 1);
  CHECK(updated->update_time >= hal.update_time);

  pg::Result event = f.Query(
      "SELECT before->>'display_name', after->>'display_name', metadata::text FROM outbox "
      "WHERE event_type = 'user.updated'");
  REQUIRE(event.size() == 1);
  CHECK(*event[0].Get<std::string>(0) == "hal");
  CHECK(*event[0].Get<std::string>(1) == "Hal Jordan");
  CHECK(*event[0].Get<std::string>(2) == R"({"changed": ["display_name", "attributes"]})");

  SECTION("'*' sets every updatable field; empty clearable fields are cleared") {
    absl::StatusOr<User> all = f.store().Update(
        {.id = hal.id,
         .fields = {.email = "HAL2@Example.com", .display_name = "Hal", .email_verified = true},
         .update_mask = {"*"}},
        AdminActor());
    INFO(all.status().ToString());
    REQUIRE(all.ok());
    CHECK(all->email == "HAL2@example.com");
    CHECK(all->email_verified);
    CHECK(all->attributes == "{}");
    CHECK(all->version == hal.version + 2);
  }
  SECTION("a mask with nothing that changes writes nothing") {
    absl::StatusOr<User> same = f.store().Update(
        {.id = hal.id, .fields = {.display_name = "Hal Jordan"}, .update_mask = {"display_name"}},
        AdminActor());
    REQUIRE(same.ok());
    CHECK(same->version == updated->version);
    CHECK(f.EventTypes() == std::vector<std::string>{"user.created", "user.updated"});
  }
}

TEST_CASE("Update refuses bad masks, bad values, stale versions, taken emails, deleted users") {
  StoreFixture f;
  User ida = f.CreateUser("ida");
  User jon = f.CreateUser("jon");
  auto update = [&](UserUpdate u) { return f.store().Update(u, AdminActor()).status(); };

  absl::Status empty_mask = update({.id = ida.id, .fields = {.display_name = "x"}});
  CHECK(empty_mask.code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StartsWith(empty_mask.message(), "update_mask:"));

  absl::Status unknown = update(
      {.id = ida.id, .fields = {.display_name = "x"}, .update_mask = {"display_name", "colour"}});
  CHECK(unknown.code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StartsWith(unknown.message(), "update_mask.paths[1]:"));
  CHECK(Mentions(unknown, "colour"));

  absl::Status output_only = update({.id = ida.id, .update_mask = {"status"}});
  CHECK(output_only.code() == absl::StatusCode::kInvalidArgument);
  CHECK(Mentions(output_only, "not updatable"));

  absl::Status cleared_email = update({.id = ida.id, .update_mask = {"email"}});
  CHECK(cleared_email.code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StartsWith(cleared_email.message(), "user.email:"));

  absl::Status bad_zone =
      update({.id = ida.id, .fields = {.time_zone = "Nowhere/City"}, .update_mask = {"time_zone"}});
  CHECK(bad_zone.code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StartsWith(bad_zone.message(), "user.time_zone:"));

  absl::Status bad_id = update({.id = "x", .update_mask = {"locale"}});
  CHECK(absl::StartsWith(bad_id.message(), "user.id:"));

  CHECK(update({.id = kUnknownId, .update_mask = {"locale"}}).code() ==
        absl::StatusCode::kNotFound);

  absl::Status taken =
      update({.id = ida.id, .fields = {.email = "JON@example.com"}, .update_mask = {"email"}});
  CHECK(taken.code() == absl::StatusCode::kAlreadyExists);
  CHECK(absl::StartsWith(taken.message(), "user.email:"));

  absl::Status stale = update({.id = ida.id,
                               .fields = {.locale = "fr"},
                               .update_mask = {"locale"},
                               .expected_version = ida.version + 1});
  CHECK(stale.code() == absl::StatusCode::kAborted);

  REQUIRE(f.store().SoftDelete(jon.id, std::nullopt, AdminActor()).ok());
  absl::Status deleted =
      update({.id = jon.id, .fields = {.locale = "fr"}, .update_mask = {"locale"}});
  CHECK(deleted.code() == absl::StatusCode::kFailedPrecondition);

  absl::StatusOr<User> unchanged = f.store().Get(ida.id);
  REQUIRE(unchanged.ok());
  CHECK(unchanged->version == ida.version);
  CHECK(unchanged->email == "ida@example.com");
  CHECK(unchanged->locale.empty());
  CHECK(f.EventTypes() == std::vector<std::string>{"user.created", "user.created", "user.deleted"});
}

TEST_CASE("concurrent updates with the same expected version: exactly one wins") {
  StoreFixture f({}, 8);
  User kim = f.CreateUser("kim");
  constexpr int kThreads = 6;
  std::vector<absl::Status> results(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      results[i] = f.store()
                       .Update({.id = kim.id,
                                .fields = {.display_name = "Kim " + std::to_string(i)},
                                .update_mask = {"display_name"},
                                .expected_version = kim.version},
                               AdminActor())
                       .status();
    });
  }
  for (std::thread& t : threads) t.join();
  int ok = 0;
  for (const absl::Status& status : results) {
    INFO(status.ToString());
    if (status.ok()) {
      ++ok;
    } else {
      CHECK(status.code() == absl::StatusCode::kAborted);
    }
  }
  CHECK(ok == 1);
  absl::StatusOr<User> now = f.store().Get(kim.id);
  REQUIRE(now.ok());
  CHECK(now->version == kim.version + 1);
  CHECK(f.Count("SELECT count(*) FROM outbox WHERE event_type = 'user.updated'") == 1);
}

TEST_CASE("SoftDelete hides nothing from Get, keeps the email, revokes sessions; Restore undoes") {
  StoreFixture f;
  User lea = f.CreateUser("lea");
  InsertSession(f, lea.id);
  InsertSession(f, lea.id);
  absl::StatusOr<User> deleted = f.store().SoftDelete(lea.id, lea.version, AdminActor());
  INFO(deleted.status().ToString());
  REQUIRE(deleted.ok());
  CHECK(deleted->status == UserStatus::kDeleted);
  REQUIRE(deleted->delete_time.has_value());
  REQUIRE(deleted->purge_time.has_value());
  CHECK(*deleted->purge_time == *deleted->delete_time + absl::Hours(24 * 30));
  CHECK(deleted->version == lea.version + 1);
  CHECK(f.Count("SELECT count(*) FROM sessions WHERE revoked_at IS NULL") == 0);
  CHECK(f.Count("SELECT count(*) FROM sessions WHERE revoke_reason = 'user_deleted'") == 2);

  // A deleted account keeps its address until purged.
  absl::StatusOr<User> reuse =
      f.store().Create(NewUser{.fields = {.email = "LEA@example.com"}}, AdminActor());
  CHECK(reuse.status().code() == absl::StatusCode::kAlreadyExists);

  absl::StatusOr<User> twice = f.store().SoftDelete(lea.id, std::nullopt, AdminActor());
  CHECK(twice.status().code() == absl::StatusCode::kFailedPrecondition);

  absl::StatusOr<User> stale_restore = f.store().Restore(lea.id, lea.version, AdminActor());
  CHECK(stale_restore.status().code() == absl::StatusCode::kAborted);

  absl::StatusOr<User> restored = f.store().Restore(lea.id, deleted->version, AdminActor());
  INFO(restored.status().ToString());
  REQUIRE(restored.ok());
  CHECK(restored->status == UserStatus::kActive);
  CHECK_FALSE(restored->delete_time.has_value());
  CHECK_FALSE(restored->purge_time.has_value());

  absl::StatusOr<User> not_deleted = f.store().Restore(lea.id, std::nullopt, AdminActor());
  CHECK(not_deleted.status().code() == absl::StatusCode::kFailedPrecondition);

  CHECK(f.EventTypes() ==
        std::vector<std::string>{"user.created", "user.deleted", "user.restored"});
  pg::Result event =
      f.Query("SELECT before->>'status', after->>'status' FROM outbox ORDER BY position");
  CHECK(*event[1].Get<std::string>(0) == "active");
  CHECK(*event[1].Get<std::string>(1) == "deleted");
  CHECK(*event[2].Get<std::string>(0) == "deleted");
  CHECK(*event[2].Get<std::string>(1) == "active");
}

TEST_CASE("SoftDelete and Restore errors") {
  StoreFixture f;
  User max = f.CreateUser("max");
  CHECK(f.store().SoftDelete(kUnknownId, std::nullopt, AdminActor()).status().code() ==
        absl::StatusCode::kNotFound);
  CHECK(f.store().Restore(kUnknownId, std::nullopt, AdminActor()).status().code() ==
        absl::StatusCode::kNotFound);
  CHECK(f.store().SoftDelete("bad", std::nullopt, AdminActor()).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(f.store().SoftDelete(max.id, max.version + 5, AdminActor()).status().code() ==
        absl::StatusCode::kAborted);
  Actor self{.type = "user", .id = max.id};
  absl::Status own = f.store().SoftDelete(max.id, std::nullopt, self).status();
  CHECK(own.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(f.EventTypes() == std::vector<std::string>{"user.created"});
}

TEST_CASE("a disabled user restored after deletion comes back disabled") {
  StoreFixture f;
  User ned = f.CreateUser("ned");
  REQUIRE(
      f.store().SetStatus(ned.id, UserStatus::kDisabled, "left", std::nullopt, AdminActor()).ok());
  REQUIRE(f.store().SoftDelete(ned.id, std::nullopt, AdminActor()).ok());
  absl::StatusOr<User> restored = f.store().Restore(ned.id, std::nullopt, AdminActor());
  REQUIRE(restored.ok());
  CHECK(restored->status == UserStatus::kDisabled);
  CHECK(restored->disabled_reason == "left");
}

TEST_CASE("SetStatus disables with a reason, revokes sessions, and enables again") {
  StoreFixture f;
  User oli = f.CreateUser("oli");
  InsertSession(f, oli.id);
  absl::StatusOr<User> disabled =
      f.store().SetStatus(oli.id, UserStatus::kDisabled, "on leave", oli.version, AdminActor());
  INFO(disabled.status().ToString());
  REQUIRE(disabled.ok());
  CHECK(disabled->status == UserStatus::kDisabled);
  CHECK(disabled->disabled_reason == "on leave");
  CHECK(disabled->version == oli.version + 1);
  CHECK(f.Count("SELECT count(*) FROM sessions WHERE revoke_reason = 'user_disabled'") == 1);

  CHECK(f.store()
            .SetStatus(oli.id, UserStatus::kDisabled, "", std::nullopt, AdminActor())
            .status()
            .code() == absl::StatusCode::kFailedPrecondition);

  absl::StatusOr<User> enabled =
      f.store().SetStatus(oli.id, UserStatus::kActive, "", disabled->version, AdminActor());
  REQUIRE(enabled.ok());
  CHECK(enabled->status == UserStatus::kActive);
  CHECK(enabled->disabled_reason.empty());

  CHECK(f.store()
            .SetStatus(oli.id, UserStatus::kActive, "", std::nullopt, AdminActor())
            .status()
            .code() == absl::StatusCode::kFailedPrecondition);
  CHECK(f.EventTypes() ==
        std::vector<std::string>{"user.created", "user.disabled", "user.enabled"});
  pg::Result disabled_event =
      f.Query("SELECT metadata->>'reason' FROM outbox WHERE event_type = 'user.disabled'");
  CHECK(*disabled_event[0].Get<std::string>(0) == "on leave");
}

TEST_CASE("SetStatus errors") {
  StoreFixture f;
  User pia = f.CreateUser("pia");
  User quinn = f.CreateUser("quinn");
  REQUIRE(f.store().SoftDelete(quinn.id, std::nullopt, AdminActor()).ok());
  auto set = [&](const std::string& id, UserStatus status, const std::string& reason,
                 std::optional<int64_t> version, const Actor& actor) {
    return f.store().SetStatus(id, status, reason, version, actor).status();
  };
  absl::Status to_deleted = set(pia.id, UserStatus::kDeleted, "", std::nullopt, AdminActor());
  CHECK(to_deleted.code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StartsWith(to_deleted.message(), "status:"));
  absl::Status long_reason =
      set(pia.id, UserStatus::kDisabled, std::string(501, 'r'), std::nullopt, AdminActor());
  CHECK(long_reason.code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StartsWith(long_reason.message(), "reason:"));
  CHECK(set(kUnknownId, UserStatus::kDisabled, "", std::nullopt, AdminActor()).code() ==
        absl::StatusCode::kNotFound);
  CHECK(set(pia.id, UserStatus::kDisabled, "", pia.version + 1, AdminActor()).code() ==
        absl::StatusCode::kAborted);
  CHECK(set(quinn.id, UserStatus::kDisabled, "", std::nullopt, AdminActor()).code() ==
        absl::StatusCode::kFailedPrecondition);
  CHECK(set(quinn.id, UserStatus::kActive, "", std::nullopt, AdminActor()).code() ==
        absl::StatusCode::kFailedPrecondition);
  CHECK(set(pia.id, UserStatus::kDisabled, "", std::nullopt, Actor{.type = "user", .id = pia.id})
            .code() == absl::StatusCode::kFailedPrecondition);
  absl::StatusOr<User> still = f.store().Get(pia.id);
  REQUIRE(still.ok());
  CHECK(still->status == UserStatus::kActive);
  CHECK(still->version == pia.version);
}

TEST_CASE("etags round-trip and malformed ones are refused") {
  CHECK(EtagForVersion(12) == "v12");
  CHECK(*VersionFromEtag("v12") == 12);
  for (const char* bad : {"", "v", "12", "v-1", "v0", "v+3", "vx", "v99999999999999999999"}) {
    INFO(bad);
    absl::StatusOr<int64_t> version = VersionFromEtag(bad);
    CHECK(version.status().code() == absl::StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace backoffice::users
