#include "bff/it/e2e_support.h"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace backoffice::bff::it {

namespace json = boost::json;
using bff::testing::TestHttpClient;
using bff::testing::TestResponse;

json::value Json(const TestResponse& response) {
  boost::system::error_code error;
  json::value value = json::parse(response.body, error);
  return error ? json::value() : value;
}

std::string Str(const json::value& value, std::string_view key) {
  if (!value.is_object()) {
    return "";
  }
  const json::value* member = value.as_object().if_contains(key);
  return member != nullptr && member->is_string() ? std::string(member->get_string()) : "";
}

std::vector<std::string> Column(const TestResponse& response, std::string_view key) {
  std::vector<std::string> values;
  json::value rows = Json(response);
  if (!rows.is_array()) {
    return values;
  }
  for (const json::value& row : rows.as_array()) {
    values.push_back(Str(row, key));
  }
  return values;
}

bool HasError(const TestResponse& response, std::string_view field) {
  json::value problem = Json(response);
  const json::value* errors =
      problem.is_object() ? problem.as_object().if_contains("errors") : nullptr;
  return errors != nullptr && errors->is_object() && errors->as_object().contains(field);
}

std::vector<std::string> SetCookies(const TestResponse& response) {
  std::vector<std::string> values;
  for (const auto& [name, value] : response.headers) {
    if (name == "set-cookie") {
      values.push_back(value);
    }
  }
  return values;
}

TestResponse Client::Call(const std::string& method, const std::string& target,
                          const std::string& body, Headers headers) {
  bool has_type = false;
  for (const auto& [name, value] : headers) {
    has_type = has_type || absl::EqualsIgnoreCase(name, "content-type");
  }
  if (!body.empty() && !has_type) {
    headers.emplace_back("Content-Type", "application/json");
  }
  if (!cookies_.empty()) {
    std::vector<std::string> pairs;
    for (const auto& [name, value] : cookies_) {
      pairs.push_back(absl::StrCat(name, "=", value));
    }
    headers.emplace_back("Cookie", absl::StrJoin(pairs, "; "));
  }
  if (send_csrf && method != "GET" && cookies_.count("__Host-csrf") > 0) {
    headers.emplace_back("X-CSRF-Token", cookies_["__Host-csrf"]);
  }
  if (!bearer.empty()) {
    headers.emplace_back("Authorization", "Bearer " + bearer);
  }
  TestHttpClient http(port_);
  std::optional<TestResponse> response = http.Request(method, target, headers, body);
  REQUIRE(response.has_value());
  for (const std::string& cookie : SetCookies(*response)) {
    std::string pair = cookie.substr(0, cookie.find(';'));
    std::string name = pair.substr(0, pair.find('='));
    std::string value = pair.substr(pair.find('=') + 1);
    if (absl::StrContains(cookie, "Max-Age=0") || value.empty()) {
      cookies_.erase(name);
    } else {
      cookies_[name] = value;
    }
  }
  return *response;
}

std::string LoginBody(std::string_view email, std::string_view password) {
  return json::serialize(json::object{{"email", email}, {"password", password}});
}

const std::string& LoginBody() {
  static const std::string* body = new std::string(LoginBody(kAdminEmail, kAdminPassword));
  return *body;
}

std::string TokenFor(int port, const std::string& login_body) {
  Client client(port);
  TestResponse token = client.Call("POST", "/api/auth/token", login_body);
  INFO(token.body);
  REQUIRE(token.status == 200);
  std::string access = Str(Json(token), "accessToken");
  REQUIRE_FALSE(access.empty());
  return access;
}

std::string AdminToken(int port) { return TokenFor(port, LoginBody()); }

Stack& SharedStack() {
  static Stack* stack = new Stack();
  return *stack;
}

}  // namespace backoffice::bff::it
