#include "services/roles/store/housekeeping.h"

#include <catch2/catch.hpp>
#include <string>

#include "absl/time/clock.h"
#include "services/roles/store/store_fixture.h"

namespace backoffice::roles {
namespace {

using testing::AdminActor;
using testing::StoreFixture;

TEST_CASE("expired idempotency records go in bounded batches; live ones stay") {
  StoreFixture f;
  for (const std::string name : {"kept", "old-a", "old-b", "old-c"}) {
    REQUIRE(f.roles().Create({.name = name}, AdminActor(), "key-" + name).ok());
  }
  f.Query(
      "UPDATE idempotency_keys SET expires_at = now() - interval '1 s' "
      "WHERE request_id <> 'key-kept'");

  Housekeeping housekeeping(f.pool(), {.batch = 2});  // two batches, the second short
  absl::StatusOr<HousekeepingReport> report = housekeeping.RunOnce(absl::Now());
  INFO(report.status().ToString());
  REQUIRE(report.ok());
  CHECK(report->idempotency_keys == 3);
  CHECK(report->total() == 3);
  CHECK(f.Count("SELECT count(*) FROM idempotency_keys WHERE request_id = 'key-kept'") == 1);
  CHECK(f.Count("SELECT count(*) FROM idempotency_keys") == 1);
  // The roles themselves stay; only the records of their requests go.
  CHECK(f.Count("SELECT count(*) FROM roles WHERE NOT is_system") == 4);

  absl::StatusOr<HousekeepingReport> again = housekeeping.RunOnce(absl::Now());
  REQUIRE(again.ok());
  CHECK(again->idempotency_keys == 0);
}

TEST_CASE("max_batches bounds one run") {
  StoreFixture f;
  for (const std::string name : {"one", "two", "three"}) {
    REQUIRE(f.roles().Create({.name = name}, AdminActor(), "key-" + name).ok());
  }
  f.Query("UPDATE idempotency_keys SET expires_at = now() - interval '1 s'");
  Housekeeping housekeeping(f.pool(), {.batch = 1, .max_batches = 2});
  absl::StatusOr<HousekeepingReport> report = housekeeping.RunOnce(absl::Now());
  REQUIRE(report.ok());
  CHECK(report->idempotency_keys == 2);
  CHECK(f.Count("SELECT count(*) FROM idempotency_keys") == 1);
}

}  // namespace
}  // namespace backoffice::roles
