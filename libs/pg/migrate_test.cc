#include "libs/pg/migrate.h"

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "libs/pg/broken_migration.h"
#include "libs/pg/error.h"
#include "libs/pg/test_migrations.h"
#include "libs/testing/pg_server.h"

namespace backoffice::pg {
namespace {

using testdata::kMigrations;

constexpr std::string_view kSchema = "inventory";

std::unique_ptr<Pool> NewPool(const ConnectionOptions& options) {
  absl::StatusOr<std::unique_ptr<Pool>> pool =
      Pool::Create(PoolOptions{.connection = options, .max_size = 2});
  INFO(pool.status().ToString());
  REQUIRE(pool.ok());
  return *std::move(pool);
}

ConnectionOptions NewDatabase() {
  absl::StatusOr<testing::TestDatabase> db = testing::PgServer::Shared().CreateDatabase();
  INFO(db.status().ToString());
  REQUIRE(db.ok());
  return db->options();
}

Result Query(Pool& pool, std::string_view sql, const Params& params = {}) {
  absl::StatusOr<PooledConnection> conn = pool.Acquire();
  REQUIRE(conn.ok());
  absl::StatusOr<Result> result = (*conn)->Execute(sql, params);
  INFO(std::string(sql) << " -> " << result.status().ToString());
  REQUIRE(result.ok());
  return *std::move(result);
}

int64_t Count(Pool& pool, std::string_view sql, const Params& params = {}) {
  return *Query(pool, sql, params)[0].Get<int64_t>(0);
}

// "version name checksum" per applied migration, in order.
std::vector<std::string> Applied(Pool& pool, std::string_view schema = kSchema) {
  std::vector<std::string> rows;
  for (const Row& row :
       Query(pool, absl::StrCat("SELECT version, name, checksum FROM \"", std::string(schema),
                                "\".schema_migrations ORDER BY version"))) {
    rows.push_back(absl::StrCat(*row.Get<int32_t>(0), " ", *row.Get<std::string>(1), " ",
                                *row.Get<std::string>(2)));
  }
  return rows;
}

std::vector<std::string> Expected(absl::Span<const Migration> migrations) {
  std::vector<std::string> rows;
  for (const Migration& m : migrations) {
    rows.push_back(
        absl::StrCat(m.version, " ", std::string(m.name), " ", MigrationChecksum(m.sql)));
  }
  return rows;
}

TEST_CASE("sql_migrations embeds the .sql files in version order") {
  REQUIRE(std::size(kMigrations) == 2);
  CHECK(kMigrations[0].version == 1);
  CHECK(kMigrations[0].name == "create_items");
  CHECK(kMigrations[1].version == 2);
  CHECK(kMigrations[1].name == "add_events");
  CHECK(kMigrations[1].sql.find("CREATE TRIGGER items_record") != std::string_view::npos);
  CHECK(testdata::broken::kMigrations[0].version == 3);
  CHECK(MigrationChecksum("") ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("migrations apply once, into the schema, and a second run is a no-op") {
  std::unique_ptr<Pool> pool = NewPool(NewDatabase());
  absl::Status first = Migrate(*pool, kSchema, kMigrations);
  INFO(first.ToString());
  REQUIRE(first.ok());
  CHECK(Applied(*pool) == Expected(kMigrations));

  // Unqualified names in the files landed in the schema, not in public.
  CHECK(Count(*pool, "SELECT count(*) FROM pg_tables WHERE schemaname = 'inventory'") == 3);
  CHECK(Count(*pool, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == 0);
  // The multi-statement file with a plpgsql body works: the trigger records inserts.
  Query(*pool, "INSERT INTO inventory.items (name) VALUES ($1)", {"widget"});
  CHECK(Count(*pool, "SELECT count(*) FROM inventory.events WHERE kind = 'item:widget'") == 1);

  const std::string applied_at =
      *Query(*pool, "SELECT max(applied_at)::text FROM inventory.schema_migrations")[0]
           .Get<std::string>(0);
  absl::Status second = Migrate(*pool, kSchema, kMigrations);
  INFO(second.ToString());
  REQUIRE(second.ok());
  CHECK(Applied(*pool) == Expected(kMigrations));
  CHECK(*Query(*pool, "SELECT max(applied_at)::text FROM inventory.schema_migrations")[0]
             .Get<std::string>(0) == applied_at);
  CHECK(Count(*pool, "SELECT count(*) FROM inventory.events WHERE kind LIKE 'migration%'") == 1);
  // The pool's sessions are left clean.
  CHECK(*Query(*pool, "SHOW search_path")[0].Get<std::string>(0) == "\"$user\", public");
}

TEST_CASE("migrations arriving in a later release are applied on top") {
  std::unique_ptr<Pool> pool = NewPool(NewDatabase());
  REQUIRE(Migrate(*pool, kSchema, absl::MakeConstSpan(kMigrations, 1)).ok());
  CHECK(Applied(*pool) == Expected(absl::MakeConstSpan(kMigrations, 1)));
  REQUIRE(Migrate(*pool, kSchema, kMigrations).ok());
  CHECK(Applied(*pool) == Expected(kMigrations));
}

TEST_CASE("replicas migrating at the same time apply each migration exactly once") {
  const ConnectionOptions db = NewDatabase();
  constexpr int kReplicas = 4;
  std::vector<std::unique_ptr<Pool>> pools;
  for (int i = 0; i < kReplicas; ++i) {
    pools.push_back(NewPool(db));
  }
  std::vector<absl::Status> results(kReplicas);
  std::vector<std::thread> threads;
  for (int i = 0; i < kReplicas; ++i) {
    threads.emplace_back([&, i] { results[i] = Migrate(*pools[i], kSchema, kMigrations); });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  for (const absl::Status& status : results) {
    INFO(status.ToString());
    CHECK(status.ok());
  }
  CHECK(Applied(*pools[0]) == Expected(kMigrations));
  CHECK(Count(*pools[0], "SELECT count(*) FROM inventory.events WHERE kind LIKE 'migration%'") ==
        1);
}

TEST_CASE("a failing migration leaves no trace and stops later ones") {
  std::unique_ptr<Pool> pool = NewPool(NewDatabase());
  REQUIRE(Migrate(*pool, kSchema, kMigrations).ok());

  const std::vector<Migration> with_broken = {
      kMigrations[0],
      kMigrations[1],
      testdata::broken::kMigrations[0],
      {4, "after_broken", "CREATE TABLE after_broken (id int);"}};
  absl::Status status = Migrate(*pool, kSchema, with_broken);
  INFO(status.ToString());
  CHECK(status.code() == absl::StatusCode::kInternal);
  CHECK(SqlState(status) == "42883");  // undefined_function, kept through the wrapping
  CHECK(status.message().find("migration 0003_broken in schema \"inventory\" failed") == 0);
  CHECK(status.message().find("no_such_function") != absl::string_view::npos);

  CHECK(Applied(*pool) == Expected(kMigrations));
  CHECK(Count(*pool,
              "SELECT count(*) FROM pg_tables WHERE tablename IN ('half_done', "
              "'after_broken')") == 0);
  CHECK(Count(*pool, "SELECT count(*) FROM inventory.events WHERE kind LIKE 'migration%'") == 1);
  CHECK(Count(*pool, "SELECT count(*) FROM pg_tables WHERE schemaname = 'inventory'") == 3);

  // A fixed migration 3 then applies.
  const std::vector<Migration> fixed = {
      kMigrations[0], kMigrations[1], {3, "fixed", "CREATE TABLE fixed (id int);"}};
  REQUIRE(Migrate(*pool, kSchema, fixed).ok());
  CHECK(Applied(*pool) == Expected(fixed));
}

TEST_CASE("an applied migration whose SQL changed is refused") {
  std::unique_ptr<Pool> pool = NewPool(NewDatabase());
  REQUIRE(Migrate(*pool, kSchema, kMigrations).ok());

  const std::string edited = std::string(kMigrations[1].sql) + "\n-- edited afterwards\n";
  const std::vector<Migration> changed = {kMigrations[0],
                                          {2, kMigrations[1].name, edited},
                                          {3, "new_one", "CREATE TABLE new_one (id int);"}};
  absl::Status status = Migrate(*pool, kSchema, changed);
  INFO(status.ToString());
  CHECK(status.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(status.message().find("migration 0002_add_events") != absl::string_view::npos);
  CHECK(status.message().find("checksum differs") != absl::string_view::npos);
  // Nothing was applied, not even the new migration 3.
  CHECK(Applied(*pool) == Expected(kMigrations));
  CHECK(Count(*pool, "SELECT count(*) FROM pg_tables WHERE tablename = 'new_one'") == 0);
}

TEST_CASE("a database newer than the binary is refused") {
  std::unique_ptr<Pool> pool = NewPool(NewDatabase());
  REQUIRE(Migrate(*pool, kSchema, kMigrations).ok());
  absl::Status status = Migrate(*pool, kSchema, absl::MakeConstSpan(kMigrations, 1));
  CHECK(status.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(status.message() ==
        "schema \"inventory\" has migration 0002_add_events applied, newer than this binary "
        "knows (its newest is 0001): refusing to run against a database from a newer release");
}

TEST_CASE("schemas are independent and any schema name is quoted safely") {
  std::unique_ptr<Pool> pool = NewPool(NewDatabase());
  const std::string odd = "Odd \"Schema\"; DROP";
  REQUIRE(Migrate(*pool, kSchema, kMigrations).ok());
  absl::Status status = Migrate(*pool, odd, absl::MakeConstSpan(kMigrations, 1));
  INFO(status.ToString());
  REQUIRE(status.ok());
  CHECK(Count(*pool, "SELECT count(*) FROM pg_namespace WHERE nspname = $1", {odd}) == 1);
  CHECK(Count(*pool, "SELECT count(*) FROM pg_tables WHERE schemaname = $1", {odd}) == 2);
  CHECK(Applied(*pool).size() == 2);
}

TEST_CASE("bad arguments are rejected before touching the database") {
  std::unique_ptr<Pool> pool = NewPool(NewDatabase());
  CHECK(Migrate(*pool, "", kMigrations).code() == absl::StatusCode::kInvalidArgument);
  const std::vector<Migration> unordered = {kMigrations[1], kMigrations[0]};
  CHECK(Migrate(*pool, kSchema, unordered).code() == absl::StatusCode::kInvalidArgument);
  CHECK(Count(*pool, "SELECT count(*) FROM pg_namespace WHERE nspname = 'inventory'") == 0);
}

}  // namespace
}  // namespace backoffice::pg
