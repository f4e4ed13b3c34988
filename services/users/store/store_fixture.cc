#include "services/users/store/store_fixture.h"

#include <catch2/catch.hpp>

#include "libs/pg/migrate.h"
#include "libs/testing/pg_server.h"
#include "services/users/migrations.h"

namespace backoffice::users::testing {

StoreFixture::StoreFixture(UserStoreOptions options, int pool_size) {
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
  store_ = std::make_unique<UserStore>(*pool_, std::move(options));
}

pg::Result StoreFixture::Query(const std::string& sql, const pg::Params& params) {
  absl::StatusOr<pg::PooledConnection> conn = pool_->Acquire();
  REQUIRE(conn.ok());
  absl::StatusOr<pg::Result> result = (*conn)->Execute(sql, params);
  INFO(sql << " -> " << result.status().ToString());
  REQUIRE(result.ok());
  return *std::move(result);
}

int64_t StoreFixture::Count(const std::string& sql, const pg::Params& params) {
  pg::Result result = Query(sql, params);
  absl::StatusOr<int64_t> count = result[0].Get<int64_t>(0);
  REQUIRE(count.ok());
  return *count;
}

std::vector<std::string> StoreFixture::EventTypes() {
  std::vector<std::string> types;
  for (const pg::Row& row : Query("SELECT event_type FROM outbox ORDER BY position")) {
    types.push_back(*row.Get<std::string>(0));
  }
  return types;
}

User StoreFixture::CreateUser(const std::string& name, const Actor& actor) {
  absl::StatusOr<User> user = store_->Create(
      NewUser{.fields = {.email = name + "@example.com", .display_name = name}}, actor);
  INFO(user.status().ToString());
  REQUIRE(user.ok());
  return *std::move(user);
}

Actor AdminActor() {
  return Actor{.type = "user",
               .id = "0190b5f2-0000-7000-8000-0000000000ad",
               .request_id = "req-admin",
               .trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"};
}

}  // namespace backoffice::users::testing
