// Canonical JSON and the canonical event encoding, including a hash computed independently (by
// the Python snippet in services/audit/README.md) so the documented format and the code agree.
#include <catch2/catch.hpp>
#include <charconv>
#include <cmath>
#include <cstring>
#include <random>
#include <string>

#include "boost/json/parse.hpp"
#include "services/audit/store/canonical_event.h"
#include "services/audit/store/canonical_json.h"
#include "services/audit/store/event_validation.h"

namespace backoffice::audit {
namespace {

std::string Canonical(std::string_view json) {
  absl::StatusOr<std::string> text = CanonicalJson(json, "x");
  INFO(json);
  REQUIRE(text.ok());
  return *text;
}

TEST_CASE("canonical JSON sorts keys bytewise and drops whitespace") {
  CHECK(Canonical(R"({ "b" : 1, "a" : [true, null, false], "B": {"z": "", "y": {}}})") ==
        R"({"B":{"y":{},"z":""},"a":[true,null,false],"b":1})");
  // Bytewise UTF-8 order: "é" (0xC3 0xA9) sorts after "z".
  CHECK(Canonical(R"({"é": 1, "z": 2, "aa": 3, "a": 4})") == R"({"a":4,"aa":3,"z":2,"é":1})");
}

TEST_CASE("canonical JSON writes numbers as the shortest plain decimal of the double") {
  CHECK(Canonical("[1, 1.0, 1.50, -0, -0.0, 0.1, 1e2, 1E-2, 12345678901234567890, 1e21]") ==
        "[1,1,1.5,0,0,0.1,100,0.01,12345678901234567168,1000000000000000000000]");
  CHECK(Canonical("[9007199254740993]") == "[9007199254740992]");  // as a double
}

// Numbers Boost.JSON 1.81's own parser reads as a neighbouring double when little input follows
// them (as in a stored jsonb text `{"k": 92.79111855230535}`), though with 300 more bytes after
// them it reads most of them right; each with its correctly rounded canonical text, the shortest
// plain decimal of the double nearest to it (what std::to_chars gives for the same C++ literal).
struct Misread {
  const char* text;
  double value;
  const char* canonical;
};
constexpr Misread kMisread[] = {
    // Boost.JSON read them as ...533, ...501, ...804, -955160329067112 (!), ...696e-9.
    {"92.791118552305349", 92.791118552305349, "92.79111855230535"},
    {"994.28162179205026", 994.28162179205026, "994.2816217920503"},
    {"9915.5905422958058", 9915.5905422958058, "9915.590542295806"},
    {"-955160329067112.12", -955160329067112.12, "-955160329067112.1"},
    {"9.7675755525806973e-09", 9.7675755525806973e-09, "0.000000009767575552580697"},
    // Already shortest, still misread (as ...536, ...5981, ...928): canonical text that did not
    // survive being parsed again.
    {"92.79111855230535", 92.79111855230535, "92.79111855230535"},
    {"419.24986082959805", 419.24986082959805, "419.24986082959805"},
    {"250.52814549329278", 250.52814549329278, "250.52814549329278"},
};

TEST_CASE("canonical JSON reads numbers correctly rounded, whatever surrounds them") {
  const std::string pad(300, 'p');
  for (const Misread& m : kMisread) {
    INFO(m.text);
    char shortest[64];
    std::to_chars_result written =
        std::to_chars(shortest, shortest + sizeof(shortest), m.value, std::chars_format::fixed);
    REQUIRE(std::string(shortest, written.ptr) == m.canonical);  // the vector itself is right
    const std::string n = m.text;
    const std::string c = m.canonical;
    CHECK(Canonical("[" + n + "]") == "[" + c + "]");
    CHECK(Canonical("[" + n + ",\"" + pad + "\"]") == "[" + c + ",\"" + pad + "\"]");
    CHECK(Canonical("[\"" + pad + "\", " + n + "]") == "[\"" + pad + "\"," + c + "]");
    CHECK(Canonical("{\"k\": " + n + "}") == "{\"k\":" + c + "}");
    CHECK(Canonical("{\"a\":" + n + ",\"b\":\"" + pad + "\"}") ==
          "{\"a\":" + c + ",\"b\":\"" + pad + "\"}");
    CHECK(Canonical(" {\"z\": 1, \"a\": " + n + " }  ") == "{\"a\":" + c + ",\"z\":1}");
    CHECK(Canonical("[" + c + "]") == "[" + c + "]");  // canonical text parses back to itself
  }
}

TEST_CASE("canonical JSON of random doubles is their shortest plain text in any context") {
  std::mt19937_64 random(20261122);
  const std::string pad(100, 'p');
  for (int i = 0; i < 3000; ++i) {
    double number;
    do {
      const uint64_t bits = random();
      std::memcpy(&number, &bits, sizeof(number));
    } while (!std::isfinite(number));
    // Half of them scaled to between 1 and 2^60, where most numbers that are sent lie.
    if (i % 2 == 0 && number != 0) {
      number = std::ldexp(number, -std::ilogb(number) + static_cast<int>(i % 60));
    }
    char buffer[400];
    std::string expected(buffer, std::to_chars(buffer, buffer + sizeof(buffer),
                                               number == 0 ? 0.0 : number, std::chars_format::fixed)
                                     .ptr);
    std::string seventeen(buffer, std::to_chars(buffer, buffer + sizeof(buffer), number,
                                                std::chars_format::scientific, 16)
                                      .ptr);
    INFO(seventeen << " " << expected);
    CHECK(Canonical("[" + seventeen + "]") == "[" + expected + "]");
    CHECK(Canonical("{\"k\": " + seventeen + ", \"p\": \"" + pad + "\"}") ==
          "{\"k\":" + expected + ",\"p\":\"" + pad + "\"}");
    CHECK(Canonical("{\"k\": " + expected + "}") == "{\"k\":" + expected + "}");
  }
}

TEST_CASE("canonical JSON reads numbers beyond a double's range as the standard says") {
  // 2.5e-324 rounds to the smallest subnormal, 2^-1074, whose shortest text is 5e-324.
  CHECK(Canonical("[1e-400, -2e-324, 2.5e-324, 0e999, -0e-5]") ==
        "[0,0,0." + std::string(323, '0') + "5,0,0]");
  CHECK(Canonical("[1.7976931348623157e308]").size() == 311);  // the largest double, 309 digits
  // Out of range either way, decided from the digits and the exponent together.
  CHECK(Canonical("[100e-330, 0.00001e-320, -0.0e999]") == "[0,0,0]");
  for (const char* huge : {"[1e400]", "{\"a\": -1e309}", "[1.8e308]", "[0.1e310]", "[-12345e305]",
                           "[10000000000e300]", "[0.00000000000000001e326]"}) {
    INFO(huge);
    CHECK(CanonicalJson(std::string_view(huge), "metadata").status().message() ==
          "metadata: numbers must be finite (no NaN or infinity)");
  }
}

TEST_CASE("canonical JSON escapes only quote, backslash and control characters") {
  CHECK(Canonical(R"(["a\"b\\c\/d", "\u0001\b\t\n\f\r\u001f", "\u00e9\ud83d\ude00 ~\u007f"])") ==
        "[\"a\\\"b\\\\c/d\",\"\\u0001\\b\\t\\n\\f\\r\\u001f\",\"\xC3\xA9\xF0\x9F\x98\x80 ~\x7F\"]");
}

TEST_CASE("canonical JSON is stable under re-parsing") {
  std::string once = Canonical(R"({"x": [0.30000000000000004, 2.5e-7, 123.456], "y": "é"})");
  CHECK(Canonical(once) == once);
}

TEST_CASE("canonical JSON refuses what is not JSON") {
  CHECK(CanonicalJson(std::string_view("{"), "before").status().message() ==
        "before: not valid JSON");
  CHECK(!CanonicalJson(std::string_view("{} {}"), "before").ok());
}

Event SampleEvent() {
  Event event;
  event.id = "0190b5f2-7c1e-7d3a-9f00-0123456789ab";
  event.sequence = 1;
  event.event_time = absl::FromUnixMicros(1714564800123456);  // 2024-05-01T12:00:00.123456Z
  event.ingest_time = absl::FromUnixMicros(1714564801000000);
  event.actor_type = kActorUser;
  event.actor_id = "u-1";
  event.actor_display_name = "Ann";
  event.client_ip = "192.0.2.1";
  event.user_agent = "curl/8";
  event.action = "users.user.update";
  event.resource_type = "users.User";
  event.resource_id = "u-2";
  event.service = "users";
  event.request_id = "req-1";
  event.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  event.outcome = kOutcomeSuccess;
  event.message = "renamed \xE2\x9C\x93";
  event.before = R"({"display_name":"Ann"})";
  event.after = R"({"display_name":"Anna","n":1.5})";
  event.prev_hash = kGenesisHash;
  return event;
}

TEST_CASE("the chain hash matches an independent computation of the documented encoding") {
  Event event = SampleEvent();
  CHECK(CanonicalTime(event.event_time) == "2024-05-01T12:00:00.123456Z");
  CHECK(CanonicalTime(absl::FromUnixNanos(1714564800123456999)) == "2024-05-01T12:00:00.123456Z");
  absl::StatusOr<std::string> hash = ChainHash(event.prev_hash, CanonicalEventBytes(event));
  REQUIRE(hash.ok());
  CHECK(*hash == "b16df4b8e521d9f7ba4dd03ae07ec5df51d4e1a3b22d2b2728ac7a7d3c4b2c10");
}

TEST_CASE("ChainHashAt over the bytes after the sequence is ChainHash of the whole encoding") {
  Event event = SampleEvent();
  for (int64_t sequence : {int64_t{1}, int64_t{9}, int64_t{10}, int64_t{123456789012}}) {
    event.sequence = sequence;
    absl::StatusOr<std::string> whole = ChainHash(event.prev_hash, CanonicalEventBytes(event));
    absl::StatusOr<std::string> split =
        ChainHashAt(event.prev_hash, sequence,
                    CanonicalEventBytesAfterSequence(event, CanonicalTime(event.ingest_time)));
    REQUIRE(whole.ok());
    REQUIRE(split.ok());
    CHECK(*split == *whole);
  }
  event.sequence = 1;
  CHECK(*ChainHashAt(event.prev_hash, 1,
                     CanonicalEventBytesAfterSequence(event, CanonicalTime(event.ingest_time))) ==
        "b16df4b8e521d9f7ba4dd03ae07ec5df51d4e1a3b22d2b2728ac7a7d3c4b2c10");
  CHECK(ChainHashAt(std::string(64, 'A'), 1, "").status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(ChainHashAt("abc", 1, "").status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("every field changes the hash; content bytes ignore store-set fields") {
  Event event = SampleEvent();
  std::string base = CanonicalEventBytes(event);
  std::string content = CanonicalContentBytes(event);
  Event changed = event;
  changed.metadata = "{}";  // absent and empty are different
  CHECK(CanonicalEventBytes(changed) != base);
  changed = event;
  changed.message = "renamed";
  CHECK(CanonicalEventBytes(changed) != base);
  changed = event;
  // Moving a byte between adjacent fields cannot produce the same bytes (length prefixes).
  changed.actor_id = "u-1A";
  changed.actor_display_name = "nn";
  CHECK(CanonicalEventBytes(changed) != base);
  changed = event;
  changed.sequence = 2;
  changed.ingest_time += absl::Seconds(1);
  CHECK(CanonicalEventBytes(changed) != base);
  CHECK(CanonicalContentBytes(changed) == content);
}

TEST_CASE("NormalizeEvent names the first bad field") {
  absl::Time now = absl::FromUnixSeconds(1714564800);
  Event event = SampleEvent();
  event.event_time = now;
  event.id = "0190B5F2-7C1E-7D3A-9F00-0123456789AB";
  REQUIRE(NormalizeEvent(event, "events[0]", now).ok());
  CHECK(event.id == "0190b5f2-7c1e-7d3a-9f00-0123456789ab");
  CHECK(event.sequence == 0);
  CHECK(event.prev_hash.empty());

  auto error = [&](auto change) {
    Event bad = SampleEvent();
    bad.event_time = now;
    change(bad);
    return std::string(NormalizeEvent(bad, "events[2]", now).message());
  };
  CHECK(error([](Event& e) { e.id = "4b1e5f0a-8c1e-4d3a-9f00-0123456789ab"; }) ==
        "events[2].id: must be a UUIDv7");
  CHECK(error([&](Event& e) { e.event_time = now + absl::Hours(25); }) ==
        "events[2].event_time: more than 24 hours in the future");
  CHECK(error([](Event& e) { e.actor_type = ""; }) == "events[2].actor.type: required");
  CHECK(error([](Event& e) { e.action = "Users.user.update"; }).rfind("events[2].action:", 0) == 0);
  CHECK(error([](Event& e) { e.action = "users.update"; }).rfind("events[2].action:", 0) == 0);
  CHECK(error([](Event& e) { e.resource_type = ""; }) == "events[2].resource_type: required");
  CHECK(error([](Event& e) { e.service = std::string(65, 'a'); }) ==
        "events[2].service: at most 64 bytes");
  CHECK(error([](Event& e) { e.trace_id = "xyz"; }) ==
        "events[2].trace_id: must be 32 lowercase hex characters");
  CHECK(error([](Event& e) { e.outcome = ""; }) == "events[2].outcome: required");
  CHECK(error([](Event& e) { e.message = std::string(1001, 'm'); }) ==
        "events[2].message: at most 1000 characters");
  CHECK(error([](Event& e) { e.request_id = std::string("a\0b", 3); }) ==
        "events[2].request_id: must not hold NUL");
  CHECK(error([](Event& e) { e.after = "[1]"; }) == "events[2].after: must be a JSON object");
  CHECK(error([](Event& e) { e.metadata = std::string(70000, '{'); }) ==
        "events[2].metadata: before, after and metadata together at most 64 KiB");
}

}  // namespace
}  // namespace backoffice::audit
