#include "bff/http/router.h"

#include <catch2/catch.hpp>

namespace backoffice::bff::http {
namespace {

Handler Noop() {
  return [](HttpRequest&) -> boost::asio::awaitable<HttpResponse> { co_return HttpResponse{}; };
}

Route R(std::string method, std::string pattern, std::string permission = "x.read") {
  return Route{.method = std::move(method),
               .pattern = std::move(pattern),
               .permission = std::move(permission),
               .handler = Noop()};
}

TEST_CASE("routes match methods, literals and parameters", "[router]") {
  Router router;
  REQUIRE(router.Add(R("GET", "/api/users")).ok());
  REQUIRE(router.Add(R("POST", "/api/users")).ok());
  REQUIRE(router.Add(R("GET", "/api/users/{id}")).ok());
  REQUIRE(router.Add(R("PATCH", "/api/users/{id}")).ok());
  REQUIRE(router.Add(R("GET", "/api/users/me")).ok());
  REQUIRE(router.Add(R("GET", "/api/users/{id}/sessions/{session}")).ok());

  Router::Match match = router.Find("GET", "/api/users/abc%20def");
  REQUIRE(match.route != nullptr);
  CHECK(match.route->pattern == "/api/users/{id}");
  CHECK(match.params == std::vector<std::pair<std::string, std::string>>{{"id", "abc def"}});

  CHECK(router.Find("GET", "/api/users/me").route->pattern == "/api/users/me");
  CHECK(router.Find("HEAD", "/api/users").route->method == "GET");
  match = router.Find("GET", "/api/users/1/sessions/2");
  REQUIRE(match.route != nullptr);
  CHECK(match.params.size() == 2);

  match = router.Find("DELETE", "/api/users/1");
  CHECK(match.route == nullptr);
  CHECK(match.allowed_methods == std::vector<std::string>{"GET", "PATCH", "HEAD", "OPTIONS"});

  match = router.Find("GET", "/api/nothing");
  CHECK(match.route == nullptr);
  CHECK(match.allowed_methods.empty());
  CHECK(router.Find("GET", "/api/users/").route == nullptr);  // empty parameter
  CHECK(router.Find("GET", "/api/users/%zz").route == nullptr);
  CHECK(router.Find("GET", "/api/users/a%00b").route == nullptr);
  CHECK(router.Find("GET", "api/users").route == nullptr);
}

TEST_CASE("malformed or duplicate routes are refused", "[router]") {
  Router router;
  REQUIRE(router.Add(R("GET", "/api/users/{id}")).ok());
  CHECK(router.Add(R("GET", "/api/users/{user_id}")).code() == absl::StatusCode::kAlreadyExists);
  CHECK(router.Add(R("GET", "api/x")).code() == absl::StatusCode::kInvalidArgument);
  CHECK(router.Add(R("GET", "/api//x")).code() == absl::StatusCode::kInvalidArgument);
  CHECK(router.Add(R("GET", "/api/{x")).code() == absl::StatusCode::kInvalidArgument);
  CHECK(router.Add(R("get", "/api/x")).code() == absl::StatusCode::kInvalidArgument);
  CHECK(router.Add(R("GET", "/api/x", "")).code() == absl::StatusCode::kInvalidArgument);
  Route no_handler = R("GET", "/api/y");
  no_handler.handler = nullptr;
  CHECK(router.Add(no_handler).code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("percent decoding is strict", "[router]") {
  CHECK(PercentDecode("a%2Fb") == "a/b");
  CHECK(PercentDecode("%e2%9c%93") == "\xe2\x9c\x93");
  CHECK_FALSE(PercentDecode("%").has_value());
  CHECK_FALSE(PercentDecode("%4").has_value());
  CHECK_FALSE(PercentDecode("%g0").has_value());
  CHECK_FALSE(PercentDecode("%00").has_value());
}

}  // namespace
}  // namespace backoffice::bff::http
