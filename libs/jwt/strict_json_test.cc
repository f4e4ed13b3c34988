#include "libs/jwt/strict_json.h"

#include <catch2/catch.hpp>

namespace backoffice::jwt {
namespace {

TEST_CASE("strict JSON parses ordinary documents") {
  absl::StatusOr<boost::json::object> object =
      ParseStrictJsonObject(R"({"a":1,"b":[1,2,{"a":2}],"c":{"a":"x"},"d":null})");
  REQUIRE(object.ok());
  CHECK(object->at("a").as_int64() == 1);
  CHECK(object->at("c").at("a").as_string() == "x");
}

TEST_CASE("strict JSON rejects duplicate member names at any depth") {
  auto dup = [](std::string_view text) {
    absl::StatusOr<boost::json::value> value = ParseStrictJson(text);
    return !value.ok() && value.status().message() == "duplicate JSON member name";
  };
  CHECK(dup(R"({"a":1,"a":2})"));
  CHECK(dup(R"({"x":{"b":1,"c":2,"b":3}})"));
  CHECK(dup(R"([{"k":1,"k":1}])"));
  // Escapes spell the same name: "\u0061" is "a".
  CHECK(dup(R"({"a":1,"\u0061":2})"));
  // Past the linear-scan limit the hash set still finds it.
  std::string many = "{";
  for (int i = 0; i < 40; ++i) {
    many += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  }
  CHECK(ParseStrictJson(many + "\"last\":0}").ok());
  CHECK(dup(many + "\"k3\":0}"));
  // The same name in sibling objects is fine.
  CHECK(ParseStrictJson(R"([{"a":1},{"a":2}])").ok());
}

TEST_CASE("strict JSON rejects what RFC 8259 does not allow") {
  for (std::string_view text : {
           R"({"a":1,})",         // trailing comma
           R"({"a":1} /* c */)",  // comment
           R"({'a':1})",          // single quotes
           R"({"a":1}{"b":2})",   // two documents
           "{\"a\":\"\xff\"}",    // invalid UTF-8
           R"({"a":01})",         // leading zero
           R"({"a":NaN})",
           "",
       }) {
    INFO(text);
    absl::StatusOr<boost::json::value> value = ParseStrictJson(text);
    REQUIRE_FALSE(value.ok());
    CHECK(value.status().message() == "malformed JSON");
  }
}

TEST_CASE("strict JSON limits nesting") {
  CHECK(ParseStrictJson(std::string(30, '[') + std::string(30, ']')).ok());
  CHECK_FALSE(ParseStrictJson(std::string(40, '[') + std::string(40, ']')).ok());
}

TEST_CASE("strict JSON object parser refuses other top-level values") {
  CHECK(ParseStrictJsonObject("[]").status().message() == "JSON is not an object");
  CHECK(ParseStrictJsonObject("\"x\"").status().message() == "JSON is not an object");
  CHECK(ParseStrictJsonObject("1").status().message() == "JSON is not an object");
}

}  // namespace
}  // namespace backoffice::jwt
