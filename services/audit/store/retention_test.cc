// Retention against a real PostgreSQL: events placed in three past months (through Append's
// `now`), old partitions dropped in one audited transaction, VerifyChain starting at the recorded
// boundary, a tampered boundary found, and the append-only guards still closed to plain SQL.
#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "services/audit/store/store_fixture.h"

namespace backoffice::audit {
namespace {

using testing::MakeEvent;
using testing::StoreFixture;

const absl::TimeZone kUtc = absl::UTCTimeZone();

absl::CivilMonth ThisMonth() { return absl::ToCivilMonth(absl::Now(), kUtc); }

// The 15th of `month`, noon UTC.
absl::Time MidMonth(absl::CivilMonth month) {
  return absl::FromCivil(absl::CivilHour(month.year(), month.month(), 15, 12), kUtc);
}

std::string PartitionName(absl::CivilMonth month) {
  return absl::StrCat("events_p", absl::FormatCivilTime(month).substr(0, 4),
                      absl::FormatCivilTime(month).substr(5, 2));
}

// Appends `count` events ingested in `month`; returns their sequences' last hash.
void AppendIn(StoreFixture& f, absl::CivilMonth month, int count) {
  std::vector<Event> batch;
  for (int i = 0; i < count; ++i) batch.push_back(MakeEvent("users.user.update", MidMonth(month)));
  absl::StatusOr<std::vector<AppendResult>> results =
      f.store().Append(std::move(batch), MidMonth(month));
  INFO(results.status().ToString());
  REQUIRE(results.ok());
}

// Three past months of events: 3 in M-3 (sequences 1-3), 2 in M-2 (4-5), 2 in M-1 (6-7).
void FillThreeMonths(StoreFixture& f) {
  absl::StatusOr<int> created = f.store().EnsurePartitions(MidMonth(ThisMonth() - 3), 3);
  REQUIRE(created.ok());
  AppendIn(f, ThisMonth() - 3, 3);
  AppendIn(f, ThisMonth() - 2, 2);
  AppendIn(f, ThisMonth() - 1, 2);
}

RetentionBoundary RetainOk(StoreFixture& f, int months) {
  absl::StatusOr<std::optional<RetentionBoundary>> applied =
      f.store().ApplyRetention(absl::Now(), months);
  INFO(applied.status().ToString());
  REQUIRE(applied.ok());
  REQUIRE(applied->has_value());
  return **applied;
}

VerifyResult VerifyOk(EventStore& store, int64_t start = 0, int64_t end = 0) {
  absl::StatusOr<VerifyResult> result = store.Verify(start, end);
  INFO(result.status().ToString());
  REQUIRE(result.ok());
  return *result;
}

int64_t PartitionExists(StoreFixture& f, absl::CivilMonth month) {
  return f.Count(
      absl::StrCat("SELECT count(*) FROM pg_class WHERE relname = '", PartitionName(month), "'"));
}

TEST_CASE("retention drops the old months' partitions as an audited event") {
  StoreFixture f;
  FillThreeMonths(f);
  std::string hash5 = f.store().GetBySequence(5)->hash;

  RetentionBoundary boundary = RetainOk(f, 1);
  CHECK(boundary.dropped_partitions ==
        std::vector<std::string>{PartitionName(ThisMonth() - 3), PartitionName(ThisMonth() - 2)});
  CHECK(boundary.removed_from == absl::FromCivil(ThisMonth() - 3, kUtc));
  CHECK(boundary.removed_to == absl::FromCivil(ThisMonth() - 1, kUtc));
  CHECK(boundary.events_removed == 5);
  CHECK(boundary.first_retained_sequence == 6);
  CHECK(boundary.first_retained_prev_hash == hash5);
  CHECK(boundary.event_sequence == 8);

  // The partitions and the removed events' ids are gone; the kept months are untouched.
  CHECK(PartitionExists(f, ThisMonth() - 3) == 0);
  CHECK(PartitionExists(f, ThisMonth() - 2) == 0);
  CHECK(PartitionExists(f, ThisMonth() - 1) == 1);
  CHECK(f.Count("SELECT count(*) FROM events") == 3);
  CHECK(f.Count("SELECT count(*) FROM event_ids") == 3);
  CHECK(f.Count("SELECT min(sequence) FROM event_ids") == 6);
  CHECK(f.store().GetBySequence(5).status().code() == absl::StatusCode::kNotFound);

  // The run is itself in the chain, with the same boundary.
  absl::StatusOr<Event> event = f.store().GetBySequence(8);
  REQUIRE(event.ok());
  CHECK(event->id == boundary.event_id);
  CHECK(event->action == "audit.retention.applied");
  CHECK(event->actor_type == "system");
  CHECK(event->actor_id == "audit-retention");
  CHECK(event->service == "audit");
  REQUIRE(event->metadata.has_value());
  CHECK_THAT(*event->metadata, Catch::Contains("\"first_retained_sequence\":6"));
  CHECK_THAT(*event->metadata,
             Catch::Contains(absl::StrCat("\"first_retained_prev_hash\":\"", hash5, "\"")));
  CHECK_THAT(*event->metadata, Catch::Contains("\"events_removed\":5"));
  CHECK(f.store().Head()->sequence == 8);

  absl::StatusOr<std::optional<RetentionBoundary>> latest = f.store().LatestRetentionBoundary();
  REQUIRE(latest.ok());
  REQUIRE(latest->has_value());
  CHECK(**latest == boundary);
}

TEST_CASE("VerifyChain starts at the retention boundary") {
  StoreFixture f;
  FillThreeMonths(f);
  RetentionBoundary boundary = RetainOk(f, 1);

  VerifyResult all = VerifyOk(f.store());
  CHECK(all.intact);
  CHECK(all.start_sequence == 6);
  CHECK(all.end_sequence == 8);
  CHECK(all.verified_count == 3);
  REQUIRE(all.retention_boundary.has_value());
  CHECK(*all.retention_boundary == boundary);

  VerifyResult across = VerifyOk(f.store(), 3, 7);
  CHECK(across.intact);
  CHECK(across.start_sequence == 6);
  CHECK(across.verified_count == 2);
  CHECK(across.retention_boundary.has_value());

  VerifyResult after = VerifyOk(f.store(), 7, 8);
  CHECK(after.intact);
  CHECK_FALSE(after.retention_boundary.has_value());

  absl::StatusOr<VerifyResult> before = f.store().Verify(1, 5);
  CHECK(before.status().code() == absl::StatusCode::kOutOfRange);
  CHECK_THAT(std::string(before.status().message()),
             Catch::Contains("sequences before 6 were removed by retention") &&
                 Catch::Contains("verifiable from 6"));

  // Appends go on after retention and the chain stays whole.
  absl::StatusOr<std::vector<AppendResult>> more = f.store().Append({MakeEvent()}, absl::Now());
  REQUIRE(more.ok());
  CHECK((*more)[0].sequence == 9);
  CHECK(VerifyOk(f.store()).verified_count == 4);

  // A change inside the retained range is still found.
  f.Tamper("UPDATE events SET resource_id = 'x' WHERE sequence = 7");
  VerifyResult changed = VerifyOk(f.store());
  CHECK(changed.first_broken_sequence == 7);
  CHECK(changed.reason == "hash mismatch");
}

TEST_CASE("a second run drops nothing; nothing old means no retention event") {
  StoreFixture f;
  FillThreeMonths(f);
  RetainOk(f, 1);
  absl::StatusOr<std::optional<RetentionBoundary>> again = f.store().ApplyRetention(absl::Now(), 1);
  REQUIRE(again.ok());
  CHECK_FALSE(again->has_value());
  CHECK(f.Count("SELECT count(*) FROM retention_log") == 1);
  CHECK(f.store().Head()->sequence == 8);

  // A longer retention than the data's age drops nothing either.
  StoreFixture g;
  FillThreeMonths(g);
  absl::StatusOr<std::optional<RetentionBoundary>> kept = g.store().ApplyRetention(absl::Now(), 3);
  REQUIRE(kept.ok());
  CHECK_FALSE(kept->has_value());
  CHECK(g.store().Head()->sequence == 7);
  CHECK(g.store().ApplyRetention(absl::Now(), 0).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("retention of every stored event starts the chain at its own event") {
  StoreFixture f;
  REQUIRE(f.store().EnsurePartitions(MidMonth(ThisMonth() - 3), 1).ok());
  AppendIn(f, ThisMonth() - 3, 4);
  std::string head_hash = f.store().Head()->hash;
  RetentionBoundary boundary = RetainOk(f, 1);
  CHECK(boundary.events_removed == 4);
  CHECK(boundary.first_retained_sequence == 5);
  CHECK(boundary.event_sequence == 5);
  CHECK(boundary.first_retained_prev_hash == head_hash);
  CHECK(f.Count("SELECT count(*) FROM event_ids") == 1);
  VerifyResult all = VerifyOk(f.store());
  CHECK(all.intact);
  CHECK(all.start_sequence == 5);
  CHECK(all.verified_count == 1);
}

TEST_CASE("a tampered retention boundary is found") {
  StoreFixture f;
  FillThreeMonths(f);
  RetainOk(f, 1);

  SECTION("its prev_hash changed") {
    f.Tamper("UPDATE retention_log SET first_retained_prev_hash = repeat('a', 64)");
    VerifyResult result = VerifyOk(f.store());
    CHECK_FALSE(result.intact);
    CHECK(result.reason == "retention boundary mismatch");
    CHECK(result.first_broken_sequence == 6);
    CHECK(result.stored_hash == std::string(64, 'a'));
    CHECK(result.expected_hash == f.store().GetBySequence(6)->prev_hash);
  }
  SECTION("moved past a changed event, with a matching prev_hash") {
    // Hiding a change to event 6 by declaring the chain to start at 7.
    f.Tamper(
        "UPDATE events SET resource_id = 'x' WHERE sequence = 6; "
        "UPDATE retention_log SET first_retained_sequence = 7, "
        "first_retained_prev_hash = (SELECT prev_hash FROM events WHERE sequence = 7)");
    VerifyResult result = VerifyOk(f.store());
    CHECK_FALSE(result.intact);
    CHECK(result.reason == "retention boundary mismatch");
    CHECK(result.first_broken_sequence == 7);
  }
  SECTION("the retention event's metadata changed to match") {
    f.Tamper(
        "UPDATE retention_log SET first_retained_prev_hash = repeat('a', 64); "
        "UPDATE events SET metadata = jsonb_set(metadata, '{first_retained_prev_hash}', "
        "to_jsonb(repeat('a', 64))) WHERE sequence = 8");
    VerifyResult result = VerifyOk(f.store());
    CHECK_FALSE(result.intact);
    CHECK(result.first_broken_sequence == 6);
    CHECK(result.reason == "prev_hash mismatch");
    // And from the retention event on, its own hash no longer holds.
    CHECK(VerifyOk(f.store(), 8, 8).reason == "hash mismatch");
  }
  SECTION("the boundary row deleted") {
    f.Tamper("DELETE FROM retention_log");
    VerifyResult result = VerifyOk(f.store());
    CHECK_FALSE(result.intact);
    CHECK(result.first_broken_sequence == 1);
    CHECK(result.reason == "missing sequence");
  }
}

TEST_CASE("the retention bypass is closed to plain statements") {
  StoreFixture f;
  FillThreeMonths(f);
  RetainOk(f, 1);
  for (const char* sql : {
           "DELETE FROM event_ids WHERE sequence = 6",
           "UPDATE event_ids SET content_digest = 'x'",
           "DELETE FROM events WHERE sequence = 6",
           "UPDATE events SET message = 'x'",
           "UPDATE retention_log SET events_removed = 0",
           "DELETE FROM retention_log",
           "TRUNCATE retention_log",
           // The setting alone opens nothing: the row was not written by this transaction, and
           // event 6 still exists.
           "SELECT set_config('audit.retention_log_id', (SELECT max(id)::text FROM retention_log), "
           "true); DELETE FROM event_ids WHERE sequence = 6",
           "BEGIN; SELECT set_config('audit.retention_log_id', (SELECT max(id)::text FROM "
           "retention_log), true); DELETE FROM event_ids; COMMIT",
       }) {
    INFO(sql);
    absl::Status status = f.Exec(sql);
    CHECK_THAT(std::string(status.message()), Catch::Contains("append-only"));
    f.Exec("ROLLBACK").IgnoreError();
  }
  CHECK(f.Count("SELECT count(*) FROM event_ids") == 3);
  CHECK(f.Count("SELECT count(*) FROM events") == 3);

  // A boundary recorded in SQL without its chain event cannot commit, and with it nothing it
  // would have allowed to delete.
  absl::Status forged = f.Exec(
      "BEGIN; INSERT INTO retention_log (applied_time, actor_type, actor_id, dropped_partitions, "
      "removed_from, removed_to, events_removed, first_retained_sequence, "
      "first_retained_prev_hash, event_id) VALUES (now(), 'system', 'x', '{p}', now(), "
      "now() + interval '1 day', 0, 8, repeat('0', 64), gen_random_uuid()); "
      "SELECT set_config('audit.retention_log_id', (SELECT max(id)::text FROM retention_log), "
      "true); DELETE FROM event_ids WHERE sequence = 6; COMMIT");
  CHECK_THAT(std::string(forged.message()), Catch::Contains("append-only"));
  f.Exec("ROLLBACK").IgnoreError();
  absl::Status unmatched = f.Exec(
      "INSERT INTO retention_log (applied_time, actor_type, actor_id, dropped_partitions, "
      "removed_from, removed_to, events_removed, first_retained_sequence, "
      "first_retained_prev_hash, event_id) VALUES (now(), 'system', 'x', '{p}', now(), "
      "now() + interval '1 day', 0, 8, repeat('0', 64), gen_random_uuid())");
  CHECK_THAT(std::string(unmatched.message()), Catch::Contains("no audit.retention.applied event"));
  CHECK(f.Count("SELECT count(*) FROM retention_log") == 1);
  CHECK(VerifyOk(f.store()).intact);

  // A partition dropped by hand (the owner can) leaves its ids: the setting and an earlier
  // boundary do not make them deletable, and VerifyChain reports the hole.
  REQUIRE(f.Exec(absl::StrCat("DROP TABLE ", PartitionName(ThisMonth() - 1))).ok());
  absl::Status orphans = f.Exec(
      "SELECT set_config('audit.retention_log_id', (SELECT max(id)::text FROM retention_log), "
      "true); DELETE FROM event_ids WHERE sequence IN (6, 7)");
  CHECK_THAT(std::string(orphans.message()), Catch::Contains("append-only"));
  CHECK(f.Count("SELECT count(*) FROM event_ids") == 3);
  VerifyResult holed = VerifyOk(f.store());
  CHECK(holed.first_broken_sequence == 6);
  CHECK(holed.reason == "missing sequence");
}

TEST_CASE("apply_retention called alone in SQL rolls back: no chain event, no drop") {
  StoreFixture f;
  FillThreeMonths(f);
  absl::Status status = f.Exec(absl::StrCat(
      "SELECT * FROM apply_retention('",
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromCivil(ThisMonth() - 1, kUtc), kUtc),
      "', gen_random_uuid(), now())"));
  CHECK_THAT(std::string(status.message()), Catch::Contains("no audit.retention.applied event"));
  CHECK(PartitionExists(f, ThisMonth() - 3) == 1);
  CHECK(f.Count("SELECT count(*) FROM event_ids") == 7);
  CHECK(f.Count("SELECT count(*) FROM retention_log") == 0);
  CHECK(VerifyOk(f.store()).verified_count == 7);
}

TEST_CASE("retention refuses to drop a broken chain's evidence") {
  StoreFixture f;
  FillThreeMonths(f);
  SECTION("the last removed event changed and re-hashed") {
    f.Tamper("UPDATE events SET hash = repeat('b', 64) WHERE sequence = 5");
  }
  SECTION("the last removed event deleted") { f.Tamper("DELETE FROM events WHERE sequence = 5"); }
  absl::StatusOr<std::optional<RetentionBoundary>> applied =
      f.store().ApplyRetention(absl::Now(), 1);
  INFO(applied.status().ToString());
  CHECK(applied.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK_THAT(std::string(applied.status().message()), Catch::Contains("nothing dropped"));
  CHECK(PartitionExists(f, ThisMonth() - 3) == 1);
  CHECK(f.Count("SELECT count(*) FROM retention_log") == 0);
  CHECK(f.store().Head()->sequence == 7);
}

}  // namespace
}  // namespace backoffice::audit
