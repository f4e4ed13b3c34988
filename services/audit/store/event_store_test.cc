// EventStore against a real PostgreSQL: appends and the hash chain, idempotency, append-only
// triggers, partitions, and VerifyChain finding tampering done directly in SQL.
#include <catch2/catch.hpp>
#include <thread>

#include "absl/strings/str_cat.h"
#include "services/audit/store/canonical_event.h"
#include "services/audit/store/canonical_json.h"
#include "services/audit/store/store_fixture.h"

namespace backoffice::audit {
namespace {

using testing::MakeEvent;
using testing::StoreFixture;

std::vector<AppendResult> AppendOk(EventStore& store, std::vector<Event> events) {
  absl::StatusOr<std::vector<AppendResult>> results = store.Append(std::move(events), absl::Now());
  INFO(results.status().ToString());
  REQUIRE(results.ok());
  return *results;
}

// Appends `n` events in batches of 3; returns them as stored.
std::vector<Event> AppendMany(StoreFixture& f, int n) {
  std::vector<Event> batch;
  for (int i = 0; i < n; ++i) {
    batch.push_back(MakeEvent());
    if (batch.size() == 3 || i == n - 1) {
      AppendOk(f.store(), std::move(batch));
      batch.clear();
    }
  }
  std::vector<Event> stored;
  for (int i = 1; i <= n; ++i) {
    absl::StatusOr<Event> event = f.store().GetBySequence(i);
    REQUIRE(event.ok());
    stored.push_back(*event);
  }
  return stored;
}

VerifyResult VerifyOk(EventStore& store, int64_t start = 0, int64_t end = 0) {
  absl::StatusOr<VerifyResult> result = store.Verify(start, end);
  INFO(result.status().ToString());
  REQUIRE(result.ok());
  return *result;
}

TEST_CASE("appends chain events and round-trip them exactly") {
  StoreFixture f;
  Event first = MakeEvent();
  Event second = MakeEvent("roles.grant.create");
  second.before = R"({"a":[1,2.5,"x"],"b":{"c":null}})";
  second.after = std::nullopt;
  std::vector<AppendResult> results = AppendOk(f.store(), {first, second});
  REQUIRE(results.size() == 2);
  CHECK(results[0].status == AppendStatus::kAccepted);
  CHECK(results[0].sequence == 1);
  CHECK(results[1].sequence == 2);

  absl::StatusOr<Event> stored = f.store().GetById(second.id);
  REQUIRE(stored.ok());
  CHECK(stored->sequence == 2);
  CHECK(stored->before == second.before);
  CHECK(!stored->after.has_value());
  CHECK(stored->event_time == second.event_time);
  absl::StatusOr<Event> one = f.store().GetBySequence(1);
  REQUIRE(one.ok());
  CHECK(one->prev_hash == kGenesisHash);
  CHECK(stored->prev_hash == one->hash);
  CHECK(*ChainHash(one->hash, CanonicalEventBytes(*stored)) == stored->hash);

  absl::StatusOr<ChainHead> head = f.store().Head();
  REQUIRE(head.ok());
  CHECK(head->sequence == 2);
  CHECK(head->hash == stored->hash);
  CHECK(f.store().GetById(ids::NewUuidV7().ToString()).status().code() ==
        absl::StatusCode::kNotFound);
  CHECK(f.store().GetBySequence(3).status().code() == absl::StatusCode::kNotFound);
}

TEST_CASE("text and JSON that need COPY escaping round-trip exactly and verify") {
  StoreFixture f;
  Event event = MakeEvent();
  event.message = "tab\there, line\nbreak, cr\rhere, back\\slash, \\N, \\., \"quoted\" 'single'";
  event.user_agent = "agent\t/1.0 (\xC3\xA9\xE2\x82\xAC\xF0\x9F\x94\x92) \\t";
  event.actor_display_name = "\\";
  event.client_ip = "";
  event.resource_id = "\\N";
  // Canonical JSON whose text holds backslashes (escapes), quotes and UTF-8.
  event.before = R"({"a":"tab\there","b":"back\\slash \"q\" \u0001","c":"é€"})";
  event.after = std::nullopt;
  event.metadata = R"({"k":"\\N"})";
  Event plain = MakeEvent();
  std::vector<AppendResult> results = AppendOk(f.store(), {event, plain});
  REQUIRE(results.size() == 2);
  CHECK(results[0].status == AppendStatus::kAccepted);

  absl::StatusOr<Event> stored = f.store().GetById(event.id);
  REQUIRE(stored.ok());
  CHECK(stored->message == event.message);
  CHECK(stored->user_agent == event.user_agent);
  CHECK(stored->actor_display_name == event.actor_display_name);
  CHECK(stored->client_ip.empty());
  CHECK(stored->resource_id == event.resource_id);
  CHECK(stored->before == event.before);
  CHECK_FALSE(stored->after.has_value());
  CHECK(stored->metadata == event.metadata);
  CHECK(*ChainHash(kGenesisHash, CanonicalEventBytes(*stored)) == stored->hash);
  VerifyResult verified = VerifyOk(f.store());
  CHECK(verified.intact);
  CHECK(verified.verified_count == 2);
  // The same content again is a duplicate: the stored digest matches what is recomputed.
  results = AppendOk(f.store(), {event});
  CHECK(results[0].status == AppendStatus::kDuplicate);
}

// Boost.JSON 1.81 reads these numbers as a neighbouring double when little text follows them, as
// in PostgreSQL's jsonb output that VerifyChain re-canonicalizes (`{"amount": 92.79111855230535}`):
// with that parser an intact event was reported as a hash mismatch.
TEST_CASE("numbers verify: canonical text is read back exactly from the stored jsonb") {
  StoreFixture f;
  auto canonical = [](std::string_view json) {
    absl::StatusOr<std::string> text = CanonicalJson(json, "metadata");
    INFO(text.status().ToString());
    REQUIRE(text.ok());
    return *text;
  };
  // As protobuf's JSON printer sends a Struct's doubles: 17 significant digits.
  Event printed = MakeEvent();
  printed.metadata = canonical(R"({"amount": 92.791118552305349})");
  CHECK(printed.metadata == R"({"amount":92.79111855230535})");
  Event nested = MakeEvent();
  nested.after = canonical(
      R"({"b": 9915.5905422958058, "a": [994.28162179205026, -955160329067112.12, 9.7675755525806973e-09]})");
  CHECK(
      nested.after ==
      R"({"a":[994.2816217920503,-955160329067112.1,0.000000009767575552580697],"b":9915.590542295806})");
  // As the direct Struct writer writes them: shortest round-trip digits, never parsed at append.
  Event direct = MakeEvent();
  direct.metadata = R"({"x":419.24986082959805,"y":[250.52814549329278,92.79111855230535]})";
  std::vector<AppendResult> results = AppendOk(f.store(), {printed, nested, direct, MakeEvent()});
  REQUIRE(results.size() == 4);

  VerifyResult verified = VerifyOk(f.store());
  INFO(verified.reason << " at " << verified.first_broken_sequence);
  CHECK(verified.intact);
  CHECK(verified.verified_count == 4);
  for (const Event* event : {&printed, &nested, &direct}) {
    absl::StatusOr<Event> stored = f.store().GetById(event->id);
    REQUIRE(stored.ok());
    CHECK(stored->metadata == event->metadata);
    CHECK(stored->after == event->after);
  }
  CHECK(AppendOk(f.store(), {direct})[0].status == AppendStatus::kDuplicate);
}

TEST_CASE("a repeated delivery is a duplicate; the same id with other content a conflict") {
  StoreFixture f;
  Event event = MakeEvent();
  AppendOk(f.store(), {event});
  Event changed = event;
  changed.message = "something else";
  Event fresh = MakeEvent();
  std::vector<AppendResult> results = AppendOk(f.store(), {event, fresh});
  REQUIRE(results.size() == 2);
  CHECK(results[0].status == AppendStatus::kDuplicate);
  CHECK(results[0].sequence == 1);
  CHECK(results[1].status == AppendStatus::kAccepted);
  CHECK(results[1].sequence == 2);
  results = AppendOk(f.store(), {changed});
  CHECK(results[0].status == AppendStatus::kConflict);
  CHECK(results[0].sequence == 1);
  CHECK(f.Count("SELECT count(*) FROM events") == 2);

  absl::StatusOr<std::vector<AppendResult>> twice = f.store().Append({fresh, fresh}, absl::Now());
  CHECK(twice.status().message() == "events[1].id: the same id appears twice in the batch");
}

TEST_CASE("concurrent appends keep the chain gap-free") {
  StoreFixture f;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        absl::StatusOr<std::vector<AppendResult>> r =
            f.store().Append({MakeEvent(), MakeEvent()}, absl::Now());
        CHECK(r.ok());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  VerifyResult result = VerifyOk(f.store());
  CHECK(result.intact);
  CHECK(result.verified_count == 80);
  CHECK(result.end_sequence == 80);
}

TEST_CASE("the log refuses UPDATE, DELETE and TRUNCATE") {
  StoreFixture f;
  AppendMany(f, 2);
  for (const char* sql : {"UPDATE events SET message = 'x'", "DELETE FROM events",
                          "TRUNCATE events", "UPDATE event_ids SET content_digest = 'x'",
                          "DELETE FROM event_ids", "DELETE FROM chain_head"}) {
    absl::Status status = f.Exec(sql);
    INFO(sql);
    CHECK(status.code() == absl::StatusCode::kInternal);
    CHECK_THAT(std::string(status.message()), Catch::Contains("append-only"));
  }
  std::string partition =
      absl::StrCat("events_p", absl::FormatTime("%Y%m", absl::Now(), absl::UTCTimeZone()));
  CHECK_THAT(std::string(f.Exec("TRUNCATE " + partition).message()),
             Catch::Contains("append-only"));
  CHECK(f.Count("SELECT count(*) FROM events") == 2);
}

TEST_CASE("monthly partitions exist ahead and are created idempotently") {
  StoreFixture f;
  CHECK(f.Count("SELECT count(*) FROM pg_inherits WHERE inhparent = 'audit.events'::regclass") ==
        3);
  absl::StatusOr<int> created = f.store().EnsurePartitions(absl::Now(), 3);
  REQUIRE(created.ok());
  CHECK(*created == 0);
  created = f.store().EnsurePartitions(absl::Now() + absl::Hours(24 * 62), 3);
  REQUIRE(created.ok());
  CHECK(*created == 2);
  // A future month's partition takes events ingested then.
  std::vector<AppendResult> results =
      *f.store().Append({MakeEvent()}, absl::Now() + absl::Hours(24 * 100));
  CHECK(results[0].status == AppendStatus::kAccepted);
}

TEST_CASE("VerifyChain reports an intact chain and checks its arguments") {
  StoreFixture f;
  CHECK(f.store().Verify(0, 0).status().code() == absl::StatusCode::kFailedPrecondition);
  AppendMany(f, 7);
  VerifyResult all = VerifyOk(f.store());
  CHECK(all.intact);
  CHECK(all.start_sequence == 1);
  CHECK(all.end_sequence == 7);
  CHECK(all.verified_count == 7);
  VerifyResult middle = VerifyOk(f.store(), 3, 5);
  CHECK(middle.intact);
  CHECK(middle.verified_count == 3);
  CHECK(VerifyOk(f.store(), 6, 100).end_sequence == 7);
  CHECK(f.store().Verify(8, 0).status().code() == absl::StatusCode::kOutOfRange);
  CHECK(f.store().Verify(5, 3).status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("VerifyChain finds a changed row") {
  StoreFixture f;
  AppendMany(f, 6);
  f.Tamper("UPDATE events SET resource_id = 'someone-else' WHERE sequence = 4");
  VerifyResult result = VerifyOk(f.store());
  CHECK_FALSE(result.intact);
  CHECK(result.first_broken_sequence == 4);
  CHECK(result.reason == "hash mismatch");
  CHECK(result.verified_count == 3);
  CHECK(result.expected_hash != result.stored_hash);
  // A range after the change is intact by itself.
  CHECK(VerifyOk(f.store(), 5, 6).intact);
}

TEST_CASE("VerifyChain finds a changed JSON value and a changed time") {
  StoreFixture f;
  AppendMany(f, 4);
  f.Tamper(R"(UPDATE events SET after = '{"display_name":"Mallory","n":0.1}' WHERE sequence = 2)");
  CHECK(VerifyOk(f.store()).first_broken_sequence == 2);
  StoreFixture g;
  AppendMany(g, 4);
  g.Tamper(
      "UPDATE events SET event_time = event_time + interval '1 microsecond' "
      "WHERE sequence = 3");
  CHECK(VerifyOk(g.store()).first_broken_sequence == 3);
}

TEST_CASE("VerifyChain finds a re-hashed row through the next link") {
  StoreFixture f;
  std::vector<Event> events = AppendMany(f, 5);
  Event forged = events[1];
  forged.resource_id = "forged";
  std::string hash = *ChainHash(forged.prev_hash, CanonicalEventBytes(forged));
  f.Tamper(absl::StrCat("UPDATE events SET resource_id = 'forged', hash = '", hash,
                        "' WHERE sequence = 2"));
  VerifyResult result = VerifyOk(f.store());
  CHECK(result.first_broken_sequence == 3);
  CHECK(result.reason == "prev_hash mismatch");
}

TEST_CASE("VerifyChain finds a deleted row, also the last one") {
  StoreFixture f;
  AppendMany(f, 6);
  f.Tamper("DELETE FROM events WHERE sequence = 3");
  VerifyResult result = VerifyOk(f.store());
  CHECK(result.first_broken_sequence == 3);
  CHECK(result.reason == "missing sequence");
  CHECK(VerifyOk(f.store(), 4, 6).first_broken_sequence == 3);  // the link before the range

  StoreFixture g;
  AppendMany(g, 3);
  g.Tamper("DELETE FROM events WHERE sequence = 3");
  VerifyResult last = VerifyOk(g.store());
  CHECK(last.first_broken_sequence == 3);
  CHECK(last.reason == "missing sequence");
}

TEST_CASE("VerifyChain finds two swapped rows") {
  StoreFixture f;
  AppendMany(f, 6);
  f.Tamper(
      "UPDATE events SET sequence = 1000 WHERE sequence = 4; "
      "UPDATE events SET sequence = 4 WHERE sequence = 5; "
      "UPDATE events SET sequence = 5 WHERE sequence = 1000");
  VerifyResult result = VerifyOk(f.store());
  CHECK(result.first_broken_sequence == 4);
  CHECK_FALSE(result.intact);
}

}  // namespace
}  // namespace backoffice::audit
