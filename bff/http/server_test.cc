// Drives the real server over real HTTP on 127.0.0.1.
#include "bff/http/server.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "bff/http/gateway.h"
#include "bff/http/json_body.h"
#include "bff/testing/http_client.h"
#include "libs/metrics/metrics.h"

namespace backoffice::bff::http {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using testing::TestHttpClient;
using testing::TestResponse;

constexpr char kOrigin[] = "http://localhost:5173";

std::string TmpDir() {
  const char* dir = std::getenv("TEST_TMPDIR");
  return dir != nullptr ? dir : "/tmp";
}

// Grants permissions from "Authorization: Bearer perm1,perm2"; "Bearer bad" is a forged token.
class TestAuthenticator final : public Authenticator {
 public:
  asio::awaitable<absl::Status> Authenticate(HttpRequest& request) override {
    std::string_view header = request.headers.Get("authorization");
    if (header.empty()) {
      co_return absl::OkStatus();
    }
    if (header == "Bearer bad") {
      co_return absl::UnauthenticatedError("the token's signature does not verify");
    }
    Principal principal;
    principal.subject = "user-1";
    std::string list(header.substr(std::string_view("Bearer ").size()));
    for (absl::string_view permission : absl::StrSplit(list, ',')) {
      principal.permissions.emplace_back(permission);
    }
    principal.authorization = std::string(header);
    request.principal = std::move(principal);
    co_return absl::OkStatus();
  }
};

asio::awaitable<void> Sleep(std::chrono::milliseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(duration);
  co_await timer.async_wait(asio::use_awaitable);
}

struct Fixture {
  explicit Fixture(std::function<void(ServerOptions&, GatewayOptions&)> configure = nullptr) {
    ServerOptions server_options;
    server_options.port = 0;
    server_options.io_threads = 2;
    server_options.header_timeout = absl::Seconds(5);
    GatewayOptions gateway_options;
    gateway_options.cors_origins = {kOrigin};
    gateway_options.access_log = false;
    static_dir = std::filesystem::path(TmpDir()) / "spa";
    gateway_options.static_dir = static_dir.string();
    if (configure) {
      configure(server_options, gateway_options);
    }
    Router router;
    Add(router, {.method = "GET",
                 .pattern = "/api/ping",
                 .permission = kPublic,
                 .handler = [](HttpRequest&) -> asio::awaitable<HttpResponse> {
                   co_return HttpResponse::Json(200, R"({"pong":true})");
                 }});
    Add(router, {.method = "POST",
                 .pattern = "/api/things",
                 .permission = kPublic,
                 .handler = [](HttpRequest& request) -> asio::awaitable<HttpResponse> {
                   static const FieldSpec kSchema[] = {{"name", JsonType::kString, true},
                                                       {"count", JsonType::kInteger}};
                   absl::StatusOr<json::object> body = ReadJsonObject(request, kSchema);
                   if (!body.ok()) {
                     co_return ProblemResponse(request, body.status());
                   }
                   co_return JsonResponse(201, *body);
                 }});
    Add(router, {.method = "POST",
                 .pattern = "/api/upload",
                 .permission = kPublic,
                 .handler = [](HttpRequest& request) -> asio::awaitable<HttpResponse> {
                   co_return HttpResponse::Json(200, std::to_string(request.body.size()));
                 },
                 .max_body_bytes = 4 << 20});
    Add(router, {.method = "GET",
                 .pattern = "/api/slow",
                 .permission = kPublic,
                 .handler = [this](HttpRequest&) -> asio::awaitable<HttpResponse> {
                   slow_entered.store(true);
                   co_await Sleep(std::chrono::milliseconds(300));
                   co_return HttpResponse::Json(200, R"({"slow":true})");
                 }});
    Add(router, {.method = "GET",
                 .pattern = "/api/items/{id}",
                 .permission = "items.read",
                 .handler = [](HttpRequest& request) -> asio::awaitable<HttpResponse> {
                   co_return JsonResponse(200, json::object{{"id", request.PathParam("id")}});
                 }});
    Add(router, {.method = "DELETE",
                 .pattern = "/api/items/{id}",
                 .permission = "items.delete",
                 .handler = [](HttpRequest& request) -> asio::awaitable<HttpResponse> {
                   co_return HttpResponse::Empty(204);
                 }});
    Add(router, {.method = "GET",
                 .pattern = "/api/me",
                 .permission = kAuthenticated,
                 .handler = [](HttpRequest& request) -> asio::awaitable<HttpResponse> {
                   co_return JsonResponse(200, json::object{{"sub", request.principal->subject}});
                 }});
    Add(router, {.method = "POST",
                 .pattern = "/api/auth/login",
                 .permission = kPublic,
                 .handler = [](HttpRequest&) -> asio::awaitable<HttpResponse> {
                   co_return HttpResponse::Empty(204);
                 },
                 .login = true});
    Add(router, {.method = "GET",
                 .pattern = "/api/whoami",
                 .permission = kPublic,
                 .handler = [](HttpRequest& request) -> asio::awaitable<HttpResponse> {
                   json::object headers;
                   for (const auto& [name, value] : request.headers.fields()) {
                     headers[name] = value;
                   }
                   co_return JsonResponse(200, json::object{{"client", request.client_address},
                                                            {"headers", headers},
                                                            {"traceparent", request.traceparent}});
                 }});
    Add(router, {.method = "GET",
                 .pattern = "/api/status/{code}",
                 .permission = kPublic,
                 .handler = [](HttpRequest& request) -> asio::awaitable<HttpResponse> {
                   int code = std::stoi(std::string(request.PathParam("code")));
                   co_return ProblemResponse(request,
                                             absl::Status(static_cast<absl::StatusCode>(code),
                                                          "name: is wrong (internal host db-7)"));
                 }});
    Add(router, {.method = "GET",
                 .pattern = "/api/throw",
                 .permission = kPublic,
                 .handler = [](HttpRequest&) -> asio::awaitable<HttpResponse> {
                   throw std::runtime_error("boom at db-7");
                   co_return HttpResponse{};
                 }});
    gateway = std::make_unique<Gateway>(gateway_options, std::move(router), registry,
                                        std::make_shared<TestAuthenticator>());
    gateway->AddReadinessCheck({"test dependency", [this] { return dependency_ready.load(); }});
    absl::StatusOr<HttpServerPtr> started = HttpServer::Start(server_options, *gateway);
    REQUIRE(started.ok());
    server = std::move(*started);
    port = server->port();
  }

  static void Add(Router& router, Route route) { REQUIRE(router.Add(std::move(route)).ok()); }

  metrics::Registry registry;
  std::filesystem::path static_dir;
  std::unique_ptr<Gateway> gateway;
  HttpServerPtr server;
  int port = 0;
  std::atomic<bool> slow_entered{false};
  std::atomic<bool> dependency_ready{true};
};

json::value Json(const TestResponse& response) { return json::parse(response.body); }

void CheckProblem(const TestResponse& response, int status) {
  CHECK(response.status == status);
  CHECK(response.Header("content-type") == "application/problem+json");
  json::value body = Json(response);
  CHECK(body.at("status").as_int64() == status);
  CHECK(body.at("request_id").as_string() == response.Header("x-request-id"));
  CHECK(body.as_object().contains("title"));
  CHECK(body.as_object().contains("type"));
}

TEST_CASE("keep-alive serves many requests on one connection", "[server]") {
  Fixture f;
  TestHttpClient client(f.port);
  for (int i = 0; i < 5; ++i) {
    std::optional<TestResponse> response = client.Get("/api/ping");
    REQUIRE(response.has_value());
    CHECK(response->status == 200);
    CHECK(response->body == R"({"pong":true})");
    CHECK(response->keep_alive);
  }
  // Pipelined requests are answered in order.
  REQUIRE(
      client.SendRaw("GET /api/ping HTTP/1.1\r\nHost: x\r\n\r\n"
                     "GET /api/items/1 HTTP/1.1\r\nHost: x\r\n\r\n"));
  CHECK(client.Read()->status == 200);
  CHECK(client.Read()->status == 401);
  // Connection: close is honoured.
  std::optional<TestResponse> last = client.Get("/api/ping", {{"Connection", "close"}});
  REQUIRE(last.has_value());
  CHECK_FALSE(last->keep_alive);
  CHECK(client.WaitForClose());
}

TEST_CASE("request limits: headers, bodies, malformed HTTP", "[server]") {
  Fixture f;
  SECTION("oversize headers answer 431 and close") {
    TestHttpClient client(f.port);
    std::optional<TestResponse> response =
        client.Get("/api/ping", {{"Cookie", std::string(20 * 1024, 'a')}});
    REQUIRE(response.has_value());
    CheckProblem(*response, 431);
    CHECK(client.WaitForClose());
  }
  SECTION("oversize body by Content-Length answers 413 without reading it") {
    TestHttpClient client(f.port);
    REQUIRE(
        client.SendRaw("POST /api/things HTTP/1.1\r\nHost: x\r\nContent-Type: "
                       "application/json\r\nContent-Length: 2000000\r\n\r\n{"));
    std::optional<TestResponse> response = client.Read();
    REQUIRE(response.has_value());
    CheckProblem(*response, 413);
    CHECK(client.WaitForClose());
  }
  SECTION("oversize chunked body answers 413") {
    TestHttpClient client(f.port);
    std::string chunk(512 * 1024, 'x');
    std::string request =
        "POST /api/things HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 3; ++i) {
      request += "80000\r\n" + chunk + "\r\n";
    }
    request += "0\r\n\r\n";
    client.SendRaw(request);  // the server may close before it is all written
    std::optional<TestResponse> response = client.Read();
    REQUIRE(response.has_value());
    CheckProblem(*response, 413);
  }
  SECTION("a route may take a larger body") {
    TestHttpClient client(f.port);
    std::optional<TestResponse> response =
        client.Request("POST", "/api/upload", {}, std::string(2 << 20, 'x'));
    REQUIRE(response.has_value());
    CHECK(response->status == 200);
    CHECK(response->body == std::to_string(2 << 20));
    response = client.Request("POST", "/api/things", {}, std::string((1 << 20) + 1, 'x'));
    REQUIRE(response.has_value());
    CHECK(response->status == 413);
  }
  SECTION("malformed HTTP answers 400 and closes") {
    const std::string garbage[] = {
        "GET /api/ping HTTP/1.1\r\nHost x\r\n\r\n",                // header without colon
        "GET /api/ping HTTP/7.0\r\nHost: x\r\n\r\n",               // bad version
        "G@T /api/ping HTTP/1.1\r\nHost: x\r\n\r\n",               // bad method token
        "POST /api/things HTTP/1.1\r\nContent-Length: x\r\n\r\n",  // bad length
        "POST /api/things HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",  // bad chunk
    };
    for (const std::string& bytes : garbage) {
      INFO(bytes);
      TestHttpClient client(f.port);
      REQUIRE(client.SendRaw(bytes));
      std::optional<TestResponse> response = client.Read();
      REQUIRE(response.has_value());
      CheckProblem(*response, 400);
      CHECK(client.WaitForClose());
    }
  }
}

TEST_CASE("slow clients are cut off", "[server]") {
  Fixture f([](ServerOptions& server, GatewayOptions&) {
    server.header_timeout = absl::Milliseconds(300);
    server.idle_timeout = absl::Milliseconds(300);
  });
  SECTION("headers trickled one byte at a time") {
    TestHttpClient client(f.port);
    REQUIRE(client.SendRaw("GET /api/ping HTTP/1.1\r\n"));
    bool cut_off = false;
    // Without the header timeout this would trickle for the whole 50 s; the server cuts it off
    // after its 300 ms, so the loop ends on a failed send or on the close.
    for (int i = 0; i < 500 && !cut_off; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      cut_off = !client.SendRaw("X");
    }
    CHECK((cut_off || client.WaitForClose()));
  }
  SECTION("idle keep-alive connections close") {
    TestHttpClient client(f.port);
    REQUIRE(client.Get("/api/ping")->status == 200);
    CHECK(client.WaitForClose());
  }
}

TEST_CASE("unknown routes answer 404, wrong methods 405 with Allow", "[server]") {
  Fixture f;
  TestHttpClient client(f.port);
  std::optional<TestResponse> response = client.Get("/api/nope");
  REQUIRE(response.has_value());
  CheckProblem(*response, 404);
  CHECK(Json(*response).at("instance").as_string() == "/api/nope");

  response = client.Request("PUT", "/api/items/7", {}, "{}");
  REQUIRE(response.has_value());
  CheckProblem(*response, 405);
  CHECK(response->Header("allow") == "GET, DELETE, HEAD, OPTIONS");

  response = client.Request("OPTIONS", "/api/items/7");
  CHECK(response->status == 204);
  CHECK(response->Header("allow") == "GET, DELETE, HEAD, OPTIONS");

  response = client.Request("HEAD", "/api/ping");
  REQUIRE(response.has_value());
  CHECK(response->status == 200);
  CHECK(response->body.empty());
  CHECK(response->Header("content-length") == "13");

  response = client.Request("DELETE", "/api/nope");
  CheckProblem(*response, 404);
}

TEST_CASE("CORS allows listed origins with credentials", "[server]") {
  Fixture f;
  TestHttpClient client(f.port);
  SECTION("allowed preflight") {
    std::optional<TestResponse> response =
        client.Request("OPTIONS", "/api/items/1",
                       {{"Origin", kOrigin},
                        {"Access-Control-Request-Method", "DELETE"},
                        {"Access-Control-Request-Headers", "content-type,x-csrf-token"}});
    REQUIRE(response.has_value());
    CHECK(response->status == 204);
    CHECK(response->Header("access-control-allow-origin") == kOrigin);
    CHECK(response->Header("access-control-allow-credentials") == "true");
    CHECK(response->Header("access-control-allow-methods") == "GET, DELETE, HEAD, OPTIONS");
    CHECK(absl::StrContains(response->Header("access-control-allow-headers"), "X-CSRF-Token"));
    CHECK(response->Header("access-control-max-age") == "600");
  }
  SECTION("denied preflight") {
    std::optional<TestResponse> response = client.Request(
        "OPTIONS", "/api/items/1",
        {{"Origin", "https://evil.example"}, {"Access-Control-Request-Method", "DELETE"}});
    REQUIRE(response.has_value());
    CheckProblem(*response, 403);
    CHECK_FALSE(response->Has("access-control-allow-origin"));
  }
  SECTION("preflight for an unknown path") {
    std::optional<TestResponse> response = client.Request(
        "OPTIONS", "/api/nope", {{"Origin", kOrigin}, {"Access-Control-Request-Method", "GET"}});
    CheckProblem(*response, 404);
  }
  SECTION("actual requests") {
    std::optional<TestResponse> allowed = client.Get("/api/ping", {{"Origin", kOrigin}});
    CHECK(allowed->Header("access-control-allow-origin") == kOrigin);
    CHECK(allowed->Header("access-control-allow-credentials") == "true");
    std::string exposed = allowed->Header("access-control-expose-headers");
    CHECK(absl::StrContains(exposed, "X-Total-Count"));
    CHECK(absl::StrContains(exposed, "Content-Range"));
    CHECK(absl::StrContains(exposed, "X-Request-Id"));
    CHECK(allowed->Header("vary") == "Origin");
    std::optional<TestResponse> denied =
        client.Get("/api/ping", {{"Origin", "http://localhost:5174"}});
    CHECK(denied->status == 200);
    CHECK_FALSE(denied->Has("access-control-allow-origin"));
  }
}

TEST_CASE("security headers and request ids on every response", "[server]") {
  Fixture f;
  TestHttpClient client(f.port);
  for (const char* target : {"/api/ping", "/api/nope", "/healthz", "/index.html"}) {
    INFO(target);
    std::optional<TestResponse> response = client.Get(target);
    REQUIRE(response.has_value());
    CHECK(response->Header("strict-transport-security") == "max-age=63072000; includeSubDomains");
    CHECK(response->Header("content-security-policy") ==
          "default-src 'self'; frame-ancestors 'none'");
    CHECK(response->Header("x-content-type-options") == "nosniff");
    CHECK(response->Header("referrer-policy") == "no-referrer");
    CHECK(response->Header("x-frame-options") == "DENY");
    CHECK(response->Header("cross-origin-opener-policy") == "same-origin");
    CHECK(response->Header("x-request-id").size() == 36);  // a generated UUID
  }
  std::optional<TestResponse> echoed = client.Get("/api/ping", {{"X-Request-Id", "abc-123.x:y_z"}});
  CHECK(echoed->Header("x-request-id") == "abc-123.x:y_z");
  for (const std::string& bad : {std::string("has space"), std::string(200, 'a'),
                                 std::string("quote\"d"), std::string("{json}")}) {
    std::optional<TestResponse> replaced = client.Get("/api/ping", {{"X-Request-Id", bad}});
    REQUIRE(replaced.has_value());
    CHECK(replaced->Header("x-request-id") != bad);
    CHECK(replaced->Header("x-request-id").size() == 36);
  }
  std::optional<TestResponse> problem = client.Get("/api/nope", {{"X-Request-Id", "trace-me"}});
  CHECK(Json(*problem).at("request_id").as_string() == "trace-me");
}

TEST_CASE("traceparent and client headers", "[server]") {
  SECTION("from an untrusted peer") {
    Fixture f;
    TestHttpClient client(f.port);
    const std::string trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    std::optional<TestResponse> response =
        client.Get("/api/whoami", {{"traceparent", trace},
                                   {"X-User-Id", "admin"},
                                   {"X-Forwarded-For", "203.0.113.9"},
                                   {"X-Forwarded-Proto", "https"},
                                   {"Forwarded", "for=203.0.113.9"}});
    json::value body = Json(*response);
    CHECK(body.at("traceparent").as_string() == trace);
    CHECK(body.at("client").as_string() == "127.0.0.1");
    const json::object& headers = body.at("headers").as_object();
    CHECK_FALSE(headers.contains("x-user-id"));
    CHECK_FALSE(headers.contains("x-forwarded-for"));
    CHECK_FALSE(headers.contains("x-forwarded-proto"));
    CHECK_FALSE(headers.contains("forwarded"));
    // A malformed traceparent is replaced by a fresh one.
    body = Json(*client.Get("/api/whoami", {{"traceparent", "00-zz-bad"}}));
    std::string fresh(body.at("traceparent").as_string());
    CHECK(fresh.size() == 55);
    CHECK(fresh != "00-zz-bad");
  }
  SECTION("from a trusted proxy") {
    Fixture f(
        [](ServerOptions& server, GatewayOptions&) { server.trusted_proxies = {"127.0.0.0/8"}; });
    TestHttpClient client(f.port);
    json::value body = Json(*client.Get(
        "/api/whoami",
        {{"X-User-Id", "admin"}, {"X-Forwarded-For", "198.51.100.1, 203.0.113.9, 127.0.0.5"}}));
    CHECK(body.at("client").as_string() == "203.0.113.9");
    CHECK(body.at("headers").as_object().contains("x-forwarded-for"));
    CHECK_FALSE(body.at("headers").as_object().contains("x-user-id"));
  }
}

TEST_CASE("authentication and authorization hooks", "[server]") {
  Fixture f;
  TestHttpClient client(f.port);
  CheckProblem(*client.Get("/api/items/1"), 401);
  CheckProblem(*client.Get("/api/items/1", {{"Authorization", "Bearer bad"}}), 401);
  CheckProblem(*client.Get("/api/items/1", {{"Authorization", "Bearer other.read"}}), 403);
  std::optional<TestResponse> ok =
      client.Get("/api/items/a%2Fb", {{"Authorization", "Bearer items.read"}});
  CHECK(ok->status == 200);
  CHECK(Json(*ok).at("id").as_string() == "a/b");
  CHECK(client.Request("DELETE", "/api/items/1", {{"Authorization", "Bearer *"}})->status == 204);
  CheckProblem(*client.Get("/api/me"), 401);
  CHECK(client.Get("/api/me", {{"Authorization", "Bearer x"}})->status == 200);
  // A forged token on a public route is ignored, not refused.
  CHECK(client.Get("/api/ping", {{"Authorization", "Bearer bad"}})->status == 200);
}

TEST_CASE("problem details for each status mapping, end to end", "[server]") {
  Fixture f;
  TestHttpClient client(f.port);
  const std::pair<absl::StatusCode, int> rows[] = {
      {absl::StatusCode::kInvalidArgument, 400},    {absl::StatusCode::kUnauthenticated, 401},
      {absl::StatusCode::kPermissionDenied, 403},   {absl::StatusCode::kNotFound, 404},
      {absl::StatusCode::kAlreadyExists, 409},      {absl::StatusCode::kAborted, 409},
      {absl::StatusCode::kFailedPrecondition, 409}, {absl::StatusCode::kResourceExhausted, 429},
      {absl::StatusCode::kUnavailable, 503},        {absl::StatusCode::kDeadlineExceeded, 504},
      {absl::StatusCode::kInternal, 500},           {absl::StatusCode::kUnimplemented, 500},
  };
  for (const auto& [code, status] : rows) {
    INFO(absl::StatusCodeToString(code));
    std::optional<TestResponse> response =
        client.Get("/api/status/" + std::to_string(static_cast<int>(code)));
    REQUIRE(response.has_value());
    CheckProblem(*response, status);
    json::value body = Json(*response);
    CHECK(body.at("instance").as_string().starts_with("/api/status/"));
    if (status == 400) {
      CHECK(body.at("errors").at("name").as_string() == "is wrong (internal host db-7)");
    }
    if (status >= 500) {
      CHECK_FALSE(absl::StrContains(response->body, "db-7"));
    }
  }
  std::optional<TestResponse> thrown = client.Get("/api/throw");
  CheckProblem(*thrown, 500);
  CHECK_FALSE(absl::StrContains(thrown->body, "db-7"));
}

TEST_CASE("JSON bodies are parsed strictly", "[server]") {
  Fixture f;
  TestHttpClient client(f.port);
  auto post = [&](const std::string& body) {
    return *client.Request("POST", "/api/things", {{"Content-Type", "application/json"}}, body);
  };
  TestResponse created = post(R"({"name":"a","count":2})");
  CHECK(created.status == 201);
  CHECK(Json(created).at("count").as_int64() == 2);
  CheckProblem(post(R"({"name":"a",)"), 400);
  CheckProblem(post(R"({"name":"a","name":"b"})"), 400);
  CheckProblem(post(R"(["name"])"), 400);
  TestResponse unknown = post(R"({"name":"a","admin":true})");
  CheckProblem(unknown, 400);
  CHECK(Json(unknown).at("errors").at("admin").as_string() == "unknown field");
  TestResponse wrong = post(R"({"name":7})");
  CheckProblem(wrong, 400);
  CHECK(Json(wrong).at("errors").at("name").as_string() == "must be a string");
}

TEST_CASE("rate limits answer 429 with Retry-After", "[server]") {
  Fixture f([](ServerOptions&, GatewayOptions& gateway) {
    gateway.per_address = {.rate_per_second = 0.01, .burst = 5};
    gateway.login = {.rate_per_second = 0.01, .burst = 2};
    gateway.per_user = {.rate_per_second = 0.01, .burst = 3};
  });
  TestHttpClient client(f.port);
  SECTION("per address") {
    for (int i = 0; i < 5; ++i) {
      CHECK(client.Get("/api/ping")->status == 200);
    }
    std::optional<TestResponse> refused = client.Get("/api/ping");
    CheckProblem(*refused, 429);
    CHECK(std::stoi(refused->Header("retry-after")) >= 1);
    // Health probes are not limited.
    CHECK(client.Get("/healthz")->status == 200);
    std::string metrics = client.Get("/metrics")->body;
    CHECK(absl::StrContains(metrics, "bff_rate_limit_rejections_total{limiter=\"address\"} 1"));
  }
  SECTION("login is stricter") {
    CHECK(client.Request("POST", "/api/auth/login")->status == 204);
    CHECK(client.Request("POST", "/api/auth/login")->status == 204);
    CheckProblem(*client.Request("POST", "/api/auth/login"), 429);
    CHECK(client.Get("/api/ping")->status == 200);  // other routes still answer
  }
  SECTION("per user") {
    for (int i = 0; i < 3; ++i) {
      CHECK(client.Get("/api/me", {{"Authorization", "Bearer x"}})->status == 200);
    }
    CheckProblem(*client.Get("/api/me", {{"Authorization", "Bearer x"}}), 429);
  }
}

void WriteFile(const std::filesystem::path& path, const std::string& content) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << content;
}

TEST_CASE("the SPA is served from its folder", "[server][static]") {
  std::filesystem::path root = std::filesystem::path(TmpDir()) / "spa";
  std::filesystem::remove_all(root);
  WriteFile(root / "index.html", "<!doctype html><title>admin</title>");
  WriteFile(root / "assets/index-BXnmO6wk.js", "console.log(1)");
  WriteFile(root / "assets/logo.svg", "<svg/>");
  WriteFile(root / "robots.txt", "User-agent: *");
  WriteFile(root / ".env", "SECRET=1");
  std::filesystem::path outside = std::filesystem::path(TmpDir()) / "secret.txt";
  WriteFile(outside, "TOP SECRET");
  std::filesystem::create_symlink(outside, root / "link.txt");
  Fixture f;
  TestHttpClient client(f.port);

  std::optional<TestResponse> index = client.Get("/");
  CHECK(index->status == 200);
  CHECK(index->body == "<!doctype html><title>admin</title>");
  CHECK(index->Header("content-type") == "text/html; charset=utf-8");
  CHECK(index->Header("cache-control") == "no-cache");

  std::optional<TestResponse> script = client.Get("/assets/index-BXnmO6wk.js");
  CHECK(script->status == 200);
  CHECK(script->Header("content-type") == "text/javascript; charset=utf-8");
  CHECK(script->Header("cache-control") == "public, max-age=31536000, immutable");
  CHECK(client.Get("/assets/logo.svg")->Header("content-type") == "image/svg+xml");
  CHECK(client.Get("/assets/logo.svg")->Header("cache-control") == "no-cache");

  // Client-side routes fall back to index.html; missing files with an extension do not.
  std::optional<TestResponse> route = client.Get("/users/42/edit");
  CHECK(route->status == 200);
  CHECK(route->body == index->body);
  CheckProblem(*client.Get("/missing.png"), 404);
  CheckProblem(*client.Get("/api/unknown"), 404);  // /api never falls back

  // Traversal, hidden files and symlinks out of the folder.
  for (const std::string target :
       {"/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2fsecret.txt", "/%2e%2e%2fsecret.txt",
        "/assets/%2e%2e/%2e%2e/secret.txt", "/link.txt", "/.env", "/%2eenv",
        "/assets/..%5csecret.txt", "/assets//logo.svg", "/robots.txt%00.html"}) {
    INFO(target);
    std::optional<TestResponse> response = client.Get(target);
    REQUIRE(response.has_value());
    CHECK_FALSE(absl::StrContains(response->body, "TOP SECRET"));
    CHECK_FALSE(absl::StrContains(response->body, "SECRET=1"));
    CHECK(response->status >= 400);
  }

  // Conditional requests.
  std::string etag = script->Header("etag");
  REQUIRE_FALSE(etag.empty());
  std::optional<TestResponse> cached =
      client.Get("/assets/index-BXnmO6wk.js", {{"If-None-Match", etag}});
  CHECK(cached->status == 304);
  CHECK(cached->body.empty());
  CHECK(cached->Header("etag") == etag);
  CHECK(client.Get("/assets/index-BXnmO6wk.js", {{"If-None-Match", "\"other\""}})->status == 200);
  std::string modified = script->Header("last-modified");
  CHECK(client.Get("/assets/index-BXnmO6wk.js", {{"If-Modified-Since", modified}})->status == 304);
  CHECK(client
            .Get("/assets/index-BXnmO6wk.js",
                 {{"If-Modified-Since", "Thu, 01 Jan 1970 00:00:00 GMT"}})
            ->status == 200);
  std::optional<TestResponse> head = client.Request("HEAD", "/robots.txt");
  CHECK(head->status == 200);
  CHECK(head->Header("content-length") == "13");
  CHECK(head->body.empty());
}

TEST_CASE("hashed asset names", "[static]") {
  CHECK(StaticFiles::IsHashedAsset("index-BXnmO6wk.js"));
  CHECK(StaticFiles::IsHashedAsset("main.3f2a1b9c.css"));
  CHECK(StaticFiles::IsHashedAsset("vendor-4f3a2b1c.js"));
  CHECK_FALSE(StaticFiles::IsHashedAsset("my-component.js"));
  CHECK_FALSE(StaticFiles::IsHashedAsset("index.html"));
  CHECK_FALSE(StaticFiles::IsHashedAsset("logo.svg"));
}

TEST_CASE("metrics, health and readiness on the BFF port", "[server]") {
  Fixture f;
  TestHttpClient client(f.port);
  CHECK(client.Get("/healthz")->status == 200);
  CHECK(client.Get("/readyz")->status == 200);
  f.dependency_ready.store(false);
  std::optional<TestResponse> not_ready = client.Get("/readyz");
  CHECK(not_ready->status == 503);
  CHECK(absl::StrContains(not_ready->body, "test dependency"));
  f.dependency_ready.store(true);
  client.Get("/api/ping");
  client.Get("/api/items/9");
  std::string metrics = client.Get("/metrics")->body;
  CHECK(absl::StrContains(
      metrics, "bff_http_requests_total{route=\"/api/ping\",method=\"GET\",code=\"200\"} 1"));
  CHECK(absl::StrContains(
      metrics, "bff_http_requests_total{route=\"/api/items/{id}\",method=\"GET\",code=\"401\"} 1"));
  CHECK(absl::StrContains(metrics, "bff_http_request_duration_seconds_bucket{route=\"/api/ping\""));
  CHECK(absl::StrContains(metrics, "bff_http_requests_in_flight"));
}

TEST_CASE("graceful shutdown finishes requests in flight", "[server]") {
  Fixture f;
  TestHttpClient idle(f.port);
  REQUIRE(idle.Get("/api/ping")->status == 200);  // a kept-alive, idle connection
  TestHttpClient busy(f.port);
  REQUIRE(busy.SendRaw("GET /api/slow HTTP/1.1\r\nHost: x\r\n\r\n"));
  while (!f.slow_entered.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  bool clean = false;
  std::thread stopper([&] { clean = f.server->Shutdown(absl::Seconds(20)); });
  std::optional<TestResponse> finished = busy.Read();
  REQUIRE(finished.has_value());
  CHECK(finished->status == 200);
  CHECK(finished->body == R"({"slow":true})");
  CHECK_FALSE(finished->keep_alive);
  CHECK(idle.WaitForClose());
  stopper.join();
  CHECK(clean);
  CHECK_FALSE(f.gateway->Ready());
  TestHttpClient late(f.port);
  CHECK_FALSE(late.connected());
}

}  // namespace
}  // namespace backoffice::bff::http
