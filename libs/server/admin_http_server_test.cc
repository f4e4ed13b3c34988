#include "libs/server/admin_http_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>

#include "libs/server/test_http_client.h"

namespace backoffice::server {
namespace {

namespace http = boost::beast::http;

AdminHandler EchoPathHandler() {
  return [](std::string_view path) {
    if (path == "/missing") {
      return AdminResponse{404, "text/plain", "no\n"};
    }
    return AdminResponse{200, "text/plain", std::string(path)};
  };
}

TEST_CASE("admin server answers GETs on a kept-alive connection") {
  absl::StatusOr<AdminHttpServerPtr> server =
      AdminHttpServer::Start("127.0.0.1", 0, EchoPathHandler());
  REQUIRE(server.ok());
  REQUIRE((*server)->port() > 0);

  testing::TestHttpClient client((*server)->port());
  auto first = client.Get("/metrics?x=1");
  CHECK(first.result_int() == 200);
  CHECK(first.body() == "/metrics");  // the query string is not part of the path
  CHECK(first[http::field::cache_control] == "no-store");
  auto second = client.Get("/missing");  // same connection
  CHECK(second.result_int() == 404);
  CHECK(second.body() == "no\n");
}

TEST_CASE("admin server refuses other methods and HEAD has no body") {
  absl::StatusOr<AdminHttpServerPtr> server =
      AdminHttpServer::Start("127.0.0.1", 0, EchoPathHandler());
  REQUIRE(server.ok());
  testing::TestHttpClient client((*server)->port());
  auto post = client.Send(http::verb::post, "/metrics");
  CHECK(post.result_int() == 405);
  CHECK(post[http::field::allow] == "GET, HEAD");
}

TEST_CASE("admin server closes a connection whose headers are too large") {
  absl::StatusOr<AdminHttpServerPtr> server =
      AdminHttpServer::Start("127.0.0.1", 0, EchoPathHandler());
  REQUIRE(server.ok());
  testing::TestHttpClient client((*server)->port());
  CHECK_THROWS(client.Send(http::verb::get, "/x", std::string(64 * 1024, 'a')));
  // The server keeps serving other connections.
  testing::TestHttpClient other((*server)->port());
  CHECK(other.Get("/ok").result_int() == 200);
}

TEST_CASE("admin server reports a taken port and stops cleanly") {
  absl::StatusOr<AdminHttpServerPtr> first =
      AdminHttpServer::Start("127.0.0.1", 0, EchoPathHandler());
  REQUIRE(first.ok());
  int port = (*first)->port();
  absl::StatusOr<AdminHttpServerPtr> second =
      AdminHttpServer::Start("127.0.0.1", port, EchoPathHandler());
  REQUIRE_FALSE(second.ok());
  CHECK(second.status().message().find("cannot listen on admin port") != std::string::npos);

  (*first)->Stop();
  (*first)->Stop();  // idempotent
  CHECK_THROWS(testing::TestHttpClient(port));
}

TEST_CASE("admin server refuses an address that is not an IP") {
  absl::StatusOr<AdminHttpServerPtr> server =
      AdminHttpServer::Start("not-an-ip", 0, EchoPathHandler());
  REQUIRE_FALSE(server.ok());
  CHECK(server.status().code() == absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace backoffice::server
