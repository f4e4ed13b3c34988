#include "libs/ids/uuid.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"

namespace backoffice::ids {
namespace {

TEST_CASE("a UUIDv7 carries the clock's milliseconds, version 7 and the RFC 9562 variant") {
  UuidV7Generator generator([] { return int64_t{0x0190B5F27C1E}; });
  Uuid id = generator.Next();
  CHECK(id.is_v7());
  CHECK(id.version() == 7);
  CHECK(id.is_rfc9562_variant());
  CHECK(id.unix_millis() == 0x0190B5F27C1E);
  CHECK(id.ToString().substr(0, 15) == "0190b5f2-7c1e-7");
  char variant = id.ToString()[19];
  CHECK((variant == '8' || variant == '9' || variant == 'a' || variant == 'b'));
}

TEST_CASE("the process-wide generator uses the current time") {
  Uuid id = NewUuidV7();
  CHECK(id.is_v7());
  int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  CHECK(id.unix_millis() <= now);
  CHECK(id.unix_millis() > now - 60'000);
}

TEST_CASE("ids within one millisecond strictly increase, as bytes and as text") {
  UuidV7Generator generator([] { return int64_t{1'700'000'000'000}; });
  Uuid previous = generator.Next();
  for (int i = 0; i < 10'000; ++i) {
    Uuid next = generator.Next();
    REQUIRE(previous < next);
    REQUIRE(previous.ToString() < next.ToString());
    REQUIRE(next.is_v7());
    previous = next;
  }
  // 10,000 increments of at most 2^31 cannot exhaust the 73 free bits: the millisecond stays.
  CHECK(previous.unix_millis() == 1'700'000'000'000);
}

TEST_CASE("a clock that steps back does not break monotonicity") {
  int64_t now = 2'000'000;
  UuidV7Generator generator([&now] { return now; });
  Uuid first = generator.Next();
  now = 1'000'000;  // an NTP step backwards
  Uuid second = generator.Next();
  CHECK(first < second);
  CHECK(second.unix_millis() == 2'000'000);
  now = 2'000'001;
  Uuid third = generator.Next();
  CHECK(second < third);
  CHECK(third.unix_millis() == 2'000'001);
}

TEST_CASE("concurrent callers get distinct, valid ids") {
  UuidV7Generator generator;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 5'000;
  std::vector<std::vector<Uuid>> results(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) results[t].push_back(generator.Next());
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::set<Uuid> all;
  for (const std::vector<Uuid>& ids : results) {
    // Each thread sees its own ids in increasing order.
    for (size_t i = 1; i < ids.size(); ++i) REQUIRE(ids[i - 1] < ids[i]);
    all.insert(ids.begin(), ids.end());
  }
  CHECK(all.size() == kThreads * kPerThread);
}

TEST_CASE("canonical text round-trips and parsing accepts either case") {
  Uuid id = NewUuidV7();
  absl::StatusOr<Uuid> parsed = ParseUuid(id.ToString());
  REQUIRE(parsed.ok());
  CHECK(*parsed == id);

  absl::StatusOr<Uuid> upper = ParseUuid("0190B5F2-7C1E-7D3A-9F00-0123456789AB");
  REQUIRE(upper.ok());
  CHECK(upper->ToString() == "0190b5f2-7c1e-7d3a-9f00-0123456789ab");
  CHECK(upper->is_v7());

  absl::StatusOr<Uuid> v4 = ParseUuid("f47ac10b-58cc-4372-a567-0e02b2c3d479");
  REQUIRE(v4.ok());
  CHECK(v4->version() == 4);
  CHECK_FALSE(v4->is_v7());

  absl::StatusOr<Uuid> nil = ParseUuid("00000000-0000-0000-0000-000000000000");
  REQUIRE(nil.ok());
  CHECK(nil->is_nil());
  CHECK(Uuid().ToString() == "00000000-0000-0000-0000-000000000000");
}

TEST_CASE("malformed text is INVALID_ARGUMENT and never echoed") {
  for (const char* bad : {
           "",
           "0190b5f2-7c1e-7d3a-9f00-0123456789a",    // 35 characters
           "0190b5f2-7c1e-7d3a-9f00-0123456789abc",  // 37
           "0190b5f27c1e7d3a9f000123456789ab",       // no hyphens
           "{190b5f2-7c1e-7d3a-9f00-0123456789a}",   // braces
           "0190b5f2_7c1e-7d3a-9f00-0123456789ab",   // wrong separator
           "0190b5f2-7c1e-7d3a-9f00-0123456789ag",   // not hex
           "0190b5f-27c1e-7d3a-9f00-0123456789ab",   // hyphen misplaced
           " 190b5f2-7c1e-7d3a-9f00-0123456789ab",   // space
           "0190b5f2-7c1e-7d3a-9f00-01234567'; --",  // injection-looking
       }) {
    INFO(bad);
    absl::StatusOr<Uuid> parsed = ParseUuid(bad);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(parsed.status().message().find("not a UUID") == 0);
    if (std::string(bad).size() > 3) {
      CHECK(std::string(parsed.status().message()).find(bad) == std::string::npos);
    }
  }
}

}  // namespace
}  // namespace backoffice::ids
