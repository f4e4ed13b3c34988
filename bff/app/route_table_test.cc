// AddRouteTable: handlers bound to their Api, and for an Api whose data the BFF caches
// (CachingApi), unsafe routes report what they may have changed after the handler ran.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "bff/app/route_support.h"

namespace backoffice::bff::app {
namespace {

namespace asio = boost::asio;
using http::HttpRequest;
using http::HttpResponse;

// Records, in order, the handlers run and the Changed calls with the path's id.
struct RecordingApi {
  std::vector<std::string>* log = nullptr;
  void Changed(const HttpRequest& request) const {
    log->push_back("changed " + std::string(request.PathParam("id")));
  }
};
static_assert(CachingApi<RecordingApi>);

asio::awaitable<HttpResponse> Read(RecordingApi api, HttpRequest&) {
  api.log->push_back("read");
  co_return HttpResponse::Empty(200);
}

asio::awaitable<HttpResponse> Write(RecordingApi api, HttpRequest&) {
  api.log->push_back("write");
  co_return HttpResponse::Empty(409);  // a failed write may still have changed something
}

// Finds and runs the route for `method` `path` on a one-thread io_context.
HttpResponse Run(const http::Router& router, const std::string& method, const std::string& path) {
  http::Router::Match match = router.Find(method, path);
  REQUIRE(match.route != nullptr);
  HttpRequest request;
  request.method = method;
  request.path_params = match.params;
  asio::io_context io;
  auto answer = asio::co_spawn(io, match.route->handler(request), asio::use_future);
  io.run();
  return answer.get();
}

}  // namespace

TEST_CASE("unsafe routes of a caching Api report the id they touched after the handler",
          "[route_table]") {
  std::vector<std::string> log;
  static const RouteEntry<RecordingApi> kRoutes[] = {
      {"GET", "/api/things/{id}", "things:read", &Read},
      {"PATCH", "/api/things/{id}", "things:write", &Write},
      {"POST", "/api/things", "things:write", &Write},
  };
  http::Router router;
  REQUIRE(AddRouteTable(router, RecordingApi{&log}, kRoutes).ok());

  CHECK(Run(router, "GET", "/api/things/a1").status == 200);
  CHECK(log == std::vector<std::string>{"read"});
  log.clear();
  CHECK(Run(router, "PATCH", "/api/things/a1").status == 409);
  CHECK(log == std::vector<std::string>{"write", "changed a1"});
  log.clear();
  CHECK(Run(router, "POST", "/api/things").status == 409);
  CHECK(log == std::vector<std::string>{"write", "changed "});
}

}  // namespace backoffice::bff::app
