#include "services/roles/store/store_fixture.h"

#include <catch2/catch.hpp>

#include "libs/ids/uuid.h"
#include "libs/pg/migrate.h"
#include "libs/testing/pg_server.h"
#include "services/roles/migrations.h"

namespace backoffice::roles::testing {

StoreFixture::StoreFixture(int pool_size) {
  absl::StatusOr<backoffice::testing::TestDatabase> db =
      backoffice::testing::PgServer::Shared().CreateDatabase();
  REQUIRE(db.ok());
  connection_ = db->options();
  connection_.search_path = "roles";
  absl::StatusOr<std::unique_ptr<pg::Pool>> pool =
      pg::Pool::Create({.connection = connection_, .max_size = pool_size});
  INFO(pool.status().ToString());
  REQUIRE(pool.ok());
  pool_ = *std::move(pool);
  absl::Status migrated = pg::Migrate(*pool_, "roles", kMigrations);
  INFO(migrated.ToString());
  REQUIRE(migrated.ok());
  roles_ = std::make_unique<RoleStore>(*pool_);
  grants_ = std::make_unique<GrantStore>(*pool_);
  permissions_ = std::make_unique<PermissionStore>(*pool_);
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

Role StoreFixture::MakeRole(const std::string& name, std::vector<std::string> permissions,
                            std::vector<std::string> parents) {
  absl::StatusOr<Role> role = roles_->Create(
      {.name = name, .permissions = std::move(permissions), .parent_ids = std::move(parents)},
      AdminActor());
  INFO(role.status().ToString());
  REQUIRE(role.ok());
  return *std::move(role);
}

Grant StoreFixture::MakeGrant(const std::string& user_id, const std::string& role_id) {
  absl::StatusOr<GrantResult> grant =
      grants_->GrantRole({.user_id = user_id, .role_id = role_id}, AdminActor());
  INFO(grant.status().ToString());
  REQUIRE(grant.ok());
  return grant->grant;
}

Actor AdminActor() {
  return Actor{.type = "user",
               .id = "0190b5f2-0000-7000-8000-0000000000ad",
               .request_id = "req-admin",
               .trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"};
}

std::string NewId() { return ids::NewUuidV7().ToString(); }

}  // namespace backoffice::roles::testing
