#include "services/users/auth/auth_fixture.h"

#include <catch2/catch.hpp>

#include "libs/ids/uuid.h"
#include "libs/pg/migrate.h"
#include "libs/testing/pg_server.h"
#include "services/users/migrations.h"

namespace backoffice::users::testing {

const PasswordHasher& TestHasher() {
  static const PasswordHasher* hasher = [] {
    absl::StatusOr<PasswordHasher> created = PasswordHasher::Create(
        {.memlimit = HashParams::kMinMemlimit, .opslimit = HashParams::kMinOpslimit});
    REQUIRE(created.ok());
    return new PasswordHasher(*std::move(created));
  }();
  return *hasher;
}

std::shared_ptr<const SecretBox> TestSecretBox() {
  static const std::string key(SecretBox::kKeyBytes, '\x42');
  absl::StatusOr<SecretBox> box = SecretBox::Create({.id = 1, .bytes = key});
  REQUIRE(box.ok());
  return std::make_shared<const SecretBox>(*std::move(box));
}

AuthFixture::AuthFixture(int pool_size) {
  absl::StatusOr<backoffice::testing::TestDatabase> db =
      backoffice::testing::PgServer::Shared().CreateDatabase();
  REQUIRE(db.ok());
  pg::ConnectionOptions connection = db->options();
  connection.search_path = "users";
  absl::StatusOr<std::unique_ptr<pg::Pool>> pool =
      pg::Pool::Create({.connection = connection, .max_size = pool_size});
  INFO(pool.status().ToString());
  REQUIRE(pool.ok());
  pool_ = *std::move(pool);
  absl::Status migrated = pg::Migrate(*pool_, "users", kMigrations);
  INFO(migrated.ToString());
  REQUIRE(migrated.ok());
}

pg::Result AuthFixture::Query(const std::string& sql, const pg::Params& params) {
  absl::StatusOr<pg::PooledConnection> conn = pool_->Acquire();
  REQUIRE(conn.ok());
  absl::StatusOr<pg::Result> result = (*conn)->Execute(sql, params);
  INFO(sql << " -> " << result.status().ToString());
  REQUIRE(result.ok());
  return *std::move(result);
}

int64_t AuthFixture::Count(const std::string& sql, const pg::Params& params) {
  pg::Result result = Query(sql, params);
  absl::StatusOr<int64_t> count = result[0].Get<int64_t>(0);
  REQUIRE(count.ok());
  return *count;
}

std::vector<std::string> AuthFixture::EventTypes() {
  std::vector<std::string> types;
  for (const pg::Row& row : Query("SELECT event_type FROM outbox ORDER BY position")) {
    types.push_back(*row.Get<std::string>(0));
  }
  return types;
}

int64_t AuthFixture::CountEvents(const std::string& type) {
  return Count("SELECT count(*) FROM outbox WHERE event_type = $1", {type});
}

std::string AuthFixture::CreateUser(const std::string& name, const std::string& password) {
  std::optional<std::string> hash;
  if (!password.empty()) {
    absl::StatusOr<std::string> hashed = TestHasher().Hash(password);
    REQUIRE(hashed.ok());
    hash = *hashed;
  }
  const std::string id = ids::NewUuidV7().ToString();
  Query("INSERT INTO users (id, email, display_name, password_hash) VALUES ($1, $2, $3, $4)",
        {id, name + "@example.com", name, hash});
  return id;
}

void AuthFixture::SetStatus(const std::string& user_id, const std::string& status) {
  if (status == "deleted") {
    Query(
        "UPDATE users SET status = 'deleted', deleted_at = now(), "
        "status_before_delete = 'active' WHERE id = $1",
        {user_id});
  } else {
    Query("UPDATE users SET status = $2 WHERE id = $1", {user_id, status});
  }
}

Actor SelfActor(const std::string& user_id) {
  return Actor{.type = "user", .id = user_id, .request_id = "req-self", .trace_id = ""};
}

Actor AdminActor() {
  return Actor{.type = "user",
               .id = "0190b5f2-0000-7000-8000-0000000000ad",
               .request_id = "req-admin",
               .trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"};
}

}  // namespace backoffice::users::testing
