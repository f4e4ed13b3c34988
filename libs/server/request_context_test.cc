#include "libs/server/request_context.h"

#include <catch2/catch.hpp>
#include <regex>
#include <set>

namespace backoffice::server {
namespace {

TEST_CASE("NewRequestId is a random UUIDv4 that passes validation") {
  const std::regex uuid_v4("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewRequestId();
    REQUIRE(std::regex_match(id, uuid_v4));
    REQUIRE(IsValidRequestId(id));
    seen.insert(id);
  }
  REQUIRE(seen.size() == 1000);
}

TEST_CASE("IsValidRequestId refuses ids unsafe to log") {
  CHECK(IsValidRequestId("req-1.a_b:c"));
  CHECK(IsValidRequestId(std::string(128, 'a')));
  CHECK_FALSE(IsValidRequestId(""));
  CHECK_FALSE(IsValidRequestId(std::string(129, 'a')));
  CHECK_FALSE(IsValidRequestId("abc\ndef"));
  CHECK_FALSE(IsValidRequestId("a b"));
  CHECK_FALSE(IsValidRequestId("\"}{"));
}

TEST_CASE("TraceIdFromTraceparent reads W3C version 00 headers") {
  CHECK(TraceIdFromTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01") ==
        "4bf92f3577b34da6a3ce929d0e0e4736");
  // Wrong version, upper case, all-zero trace id, bad lengths and separators.
  CHECK(TraceIdFromTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01") == "");
  CHECK(TraceIdFromTraceparent("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01") == "");
  CHECK(TraceIdFromTraceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01") == "");
  CHECK(TraceIdFromTraceparent("00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01") == "");
  CHECK(TraceIdFromTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01") == "");
  CHECK(TraceIdFromTraceparent("") == "");
}

}  // namespace
}  // namespace backoffice::server
