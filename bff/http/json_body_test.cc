#include "bff/http/json_body.h"

#include <catch2/catch.hpp>

#include "bff/http/problem.h"

namespace backoffice::bff::http {
namespace {

const FieldSpec kSchema[] = {
    {"email", JsonType::kString, true}, {"age", JsonType::kInteger},
    {"score", JsonType::kNumber},       {"active", JsonType::kBool},
    {"roles", JsonType::kStringArray},  {"note", JsonType::kString, false, true},
    {"meta", JsonType::kObject},
};

HttpRequest Body(std::string body, std::string content_type = "application/json") {
  HttpRequest request;
  request.method = "POST";
  request.path = "/api/things";
  if (!content_type.empty()) {
    request.headers.Add("content-type", content_type);
  }
  request.body = std::move(body);
  return request;
}

TEST_CASE("well-formed objects pass", "[json_body]") {
  absl::StatusOr<boost::json::object> object = ReadJsonObject(
      Body(R"({"email":"a@b.c","age":3,"score":1.5,"active":true,"roles":["x"],"note":null,)"
           R"("meta":{"k":1}})"),
      kSchema);
  REQUIRE(object.ok());
  CHECK(object->at("age").as_int64() == 3);
  CHECK(ReadJsonObject(Body(R"({"email":"x"})", "application/merge-patch+json"), kSchema).ok());
  CHECK(ReadJsonObject(Body(R"({"email":"x"})", ""), kSchema).ok());
  CHECK(ReadJsonObject(Body(R"({"email":"x","score":2})"), kSchema).ok());
}

TEST_CASE("malformed and non-object bodies are refused", "[json_body]") {
  const std::string bad[] = {
      "",                                             // empty
      "{",                                            // truncated
      R"({"email":"x",})",                            // trailing comma
      R"({'email':"x"})",                             // single quotes
      R"({"email":"x"} extra)",                       // trailing data
      R"({"email":"x","email":"y"})",                 // duplicate key
      "[1,2]",                                        // not an object
      "\"text\"",                                     // not an object
      "null",                                         // not an object
      "{\"email\":\"\xff\"}",                         // invalid UTF-8
      "// comment\n{}",                               // comments
      std::string(100, '[') + std::string(100, ']'),  // too deep
  };
  for (const std::string& body : bad) {
    INFO(body);
    absl::StatusOr<boost::json::object> object = ParseJsonObject(Body(body));
    REQUIRE_FALSE(object.ok());
    CHECK(ProblemFromStatus(object.status()).status == 400);
  }
  CHECK_FALSE(ParseJsonObject(Body(R"({"email":"x"})", "text/plain")).ok());
  CHECK_FALSE(ParseJsonObject(Body(R"({"email":"x"})", "application/x-www-form-urlencoded")).ok());
}

TEST_CASE("schema violations become field errors", "[json_body]") {
  auto errors = [](std::string body) {
    absl::StatusOr<boost::json::object> object = ReadJsonObject(Body(std::move(body)), kSchema);
    REQUIRE_FALSE(object.ok());
    Problem problem = ProblemFromStatus(object.status());
    REQUIRE(problem.status == 400);
    return problem;
  };
  SECTION("unknown fields are named") {
    Problem problem = errors(R"({"email":"x","is_admin":true,"password_hash":"h"})");
    CHECK(problem.detail == "unknown fields: is_admin, password_hash");
    REQUIRE(problem.errors.size() == 2);
    CHECK(problem.errors[0] == std::pair<std::string, std::string>("is_admin", "unknown field"));
  }
  SECTION("wrong types name the field") {
    CHECK(errors(R"({"email":5})").errors[0] ==
          std::pair<std::string, std::string>("email", "must be a string"));
    CHECK(errors(R"({"email":"x","age":"3"})").errors[0].first == "age");
    CHECK(errors(R"({"email":"x","age":3.5})").errors[0].second == "must be an integer");
    CHECK(errors(R"({"email":"x","active":"true"})").errors[0].first == "active");
    CHECK(errors(R"({"email":"x","roles":["a",1]})").errors[0].second ==
          "must be an array of strings");
    CHECK(errors(R"({"email":"x","meta":[]})").errors[0].second == "must be an object");
  }
  SECTION("null only where allowed") {
    CHECK(errors(R"({"email":null})").errors[0].second == "must not be null");
  }
  SECTION("missing required fields") {
    CHECK(errors(R"({"age":1})").errors[0] ==
          std::pair<std::string, std::string>("email", "is required"));
  }
}

TEST_CASE("JsonResponse serializes", "[json_body]") {
  HttpResponse response = JsonResponse(201, boost::json::object{{"id", "u1"}});
  CHECK(response.status == 201);
  CHECK(response.body == R"({"id":"u1"})");
  CHECK(response.headers.Get("content-type") == "application/json");
}

}  // namespace
}  // namespace backoffice::bff::http
