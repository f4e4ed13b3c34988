// Client helpers the BFF's end-to-end tests share: JSON reading, an HTTP client with a cookie
// jar that sends the CSRF header as an SPA does (or a Bearer token), and the bootstrap admin's
// sign-in.
//
//   Client api(stack.bff_port());
//   api.bearer = AdminToken(stack.bff_port());
//   TestResponse list = api.Call("GET", "/api/users");
//   CHECK(Str(Json(list).at(0), "email") == kAdminEmail);
#pragma once

#include <boost/json/value.hpp>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bff/it/stack.h"
#include "bff/testing/http_client.h"

namespace backoffice::bff::it {

using Headers = std::vector<std::pair<std::string, std::string>>;

/// The response body as JSON (a null value when it is not JSON).
boost::json::value Json(const testing::TestResponse& response);

/// `value[key]` when `value` is an object and that member a string, else "".
std::string Str(const boost::json::value& value, std::string_view key);

/// `Str(row, key)` of every row when the body is a JSON array, else nothing.
std::vector<std::string> Column(const testing::TestResponse& response, std::string_view key);

/// Whether the body is a problem whose `errors` object names `field`.
bool HasError(const testing::TestResponse& response, std::string_view field);

/// Every Set-Cookie header of the response, in order.
std::vector<std::string> SetCookies(const testing::TestResponse& response);

/// An HTTP client with a cookie jar that sends the CSRF header the way an SPA does, and
/// `Authorization: Bearer` when `bearer` is set. Each call is a fresh connection; a failed
/// exchange fails the test (REQUIRE).
class Client {
 public:
  explicit Client(int port) : port_(port) {}

  /// Sends the request (a non-empty body without a Content-Type is sent as JSON) and keeps the
  /// cookies the answer sets or clears.
  testing::TestResponse Call(const std::string& method, const std::string& target,
                             const std::string& body = "", Headers headers = {});

  std::map<std::string, std::string>& cookies() { return cookies_; }
  bool send_csrf = true;
  std::string bearer;

 private:
  int port_;
  std::map<std::string, std::string> cookies_;
};

/// `{"email": kAdminEmail, "password": kAdminPassword}`.
const std::string& LoginBody();

/// The body of a sign-in as `email` with `password`.
std::string LoginBody(std::string_view email, std::string_view password);

/// An access token of the bootstrap admin from POST /api/auth/token.
std::string AdminToken(int port);

/// An access token from POST /api/auth/token with that login body (the test fails otherwise).
std::string TokenFor(int port, const std::string& login_body);

/// One stack per test binary, started on first use and left to the process's end.
Stack& SharedStack();

}  // namespace backoffice::bff::it
