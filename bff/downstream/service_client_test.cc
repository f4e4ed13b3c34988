// The downstream bridge against a real gRPC server, driven through the real BFF over HTTP.
#include "bff/downstream/service_client.h"

#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "bff/downstream/fan_out.h"
#include "bff/downstream/grpc_status_conversion.h"
#include "bff/downstream/stub_set.h"
#include "bff/downstream/testdata/echo.grpc.pb.h"
#include "bff/http/gateway.h"
#include "bff/http/json_body.h"
#include "bff/http/server.h"
#include "bff/testing/http_client.h"
#include "libs/metrics/metrics.h"
#include "libs/server/grpc_status.h"

namespace backoffice::bff::downstream {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using bff::testing::TestHttpClient;
using bff::testing::TestResponse;
using EchoService = bff::testing::v1::EchoService;
using bff::testing::v1::EchoRequest;
using bff::testing::v1::EchoResponse;

std::string Metadata(grpc::ServerContext* context, const std::string& key) {
  auto it = context->client_metadata().find(key);
  return it == context->client_metadata().end() ? ""
                                                : std::string(it->second.data(), it->second.size());
}

// The real gRPC service the BFF calls.
class EchoImpl final : public EchoService::Service {
 public:
  grpc::Status Echo(grpc::ServerContext* context, const EchoRequest* request,
                    EchoResponse* response) override {
    int attempt;
    {
      absl::MutexLock lock(&mutex_);
      attempt = ++attempts_[request->text()];
    }
    if (request->wait_for_gate()) {
      gate_.WaitForNotificationWithTimeout(absl::Seconds(30));
    }
    if (request->delay_ms() > 0) {
      absl::Time until = absl::Now() + absl::Milliseconds(request->delay_ms());
      while (absl::Now() < until && !context->IsCancelled()) {
        absl::SleepFor(absl::Milliseconds(5));
      }
    }
    if (request->fail_with_code() != 0 &&
        (request->fail_times() == 0 || attempt <= request->fail_times())) {
      absl::Status failure(static_cast<absl::StatusCode>(request->fail_with_code()),
                           "text: must not be like this (internal db-7)");
      return server::ToGrpcStatus(failure, "echo", Metadata(context, "x-request-id"));
    }
    response->set_text(request->text());
    response->set_request_id(Metadata(context, "x-request-id"));
    response->set_traceparent(Metadata(context, "traceparent"));
    response->set_authorization(Metadata(context, "authorization"));
    response->set_attempts(attempt);
    {
      absl::MutexLock lock(&mutex_);
      peers_.insert(context->peer());
    }
    return grpc::Status::OK;
  }

  // The client addresses ("ipv4:127.0.0.1:<port>") calls came from: one per connection.
  std::set<std::string> Peers() {
    absl::MutexLock lock(&mutex_);
    return peers_;
  }

  int Attempts(const std::string& text) {
    absl::MutexLock lock(&mutex_);
    return attempts_[text];
  }

  void OpenGate() {
    if (!gate_.HasBeenNotified()) {
      gate_.Notify();
    }
  }

 private:
  absl::Mutex mutex_;
  std::map<std::string, int> attempts_ ABSL_GUARDED_BY(mutex_);
  std::set<std::string> peers_ ABSL_GUARDED_BY(mutex_);
  absl::Notification gate_;
};

// A port nothing listens on.
int DeadPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

std::map<std::string, std::string> QueryOf(const http::HttpRequest& request) {
  std::map<std::string, std::string> params;
  for (absl::string_view pair : absl::StrSplit(request.query, '&', absl::SkipEmpty())) {
    std::pair<std::string, std::string> kv = absl::StrSplit(pair, absl::MaxSplits('=', 1));
    params[kv.first] = kv.second;
  }
  return params;
}

int IntParam(const std::map<std::string, std::string>& params, const std::string& key) {
  int value = 0;
  auto it = params.find(key);
  return it != params.end() && absl::SimpleAtoi(it->second, &value) ? value : 0;
}

struct Fixture {
  Fixture() {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &grpc_port);
    builder.RegisterService(&echo);
    grpc_server = builder.BuildAndStart();
    REQUIRE(grpc_server != nullptr);

    echo_client = ServiceClient::Create(
        {.name = "echo", .address = "127.0.0.1:" + std::to_string(grpc_port)}, registry);
    dead_client = ServiceClient::Create(
        {.name = "dead", .address = "127.0.0.1:" + std::to_string(DeadPort())}, registry);
    echo_stub = EchoService::NewStub(echo_client->channel());
    dead_stub = EchoService::NewStub(dead_client->channel());

    http::Router router;
    REQUIRE(
        router
            .Add({.method = "GET",
                  .pattern = "/api/echo",
                  .permission = http::kPublic,
                  .handler =
                      [this](http::HttpRequest& request) -> asio::awaitable<http::HttpResponse> {
                    std::map<std::string, std::string> params = QueryOf(request);
                    EchoRequest call;
                    call.set_text(params["text"]);
                    call.set_delay_ms(IntParam(params, "delay_ms"));
                    call.set_fail_with_code(IntParam(params, "fail"));
                    call.set_fail_times(IntParam(params, "fail_times"));
                    call.set_wait_for_gate(params["gate"] == "1");
                    CallOptions options;
                    options.idempotent = params["idempotent"] == "1";
                    if (int ms = IntParam(params, "deadline_ms"); ms > 0) {
                      options.deadline = absl::Milliseconds(ms);
                    }
                    ServiceClient& client =
                        params["service"] == "dead" ? *dead_client : *echo_client;
                    EchoService::Stub& stub = params["service"] == "dead" ? *dead_stub : *echo_stub;
                    absl::StatusOr<EchoResponse> response =
                        co_await client.Call(request, "Echo", &EchoService::Stub::async::Echo,
                                             stub.async(), call, options);
                    if (!response.ok()) {
                      co_return http::ProblemResponse(request, response.status());
                    }
                    co_return http::JsonResponse(
                        200, json::object{{"text", response->text()},
                                          {"request_id", response->request_id()},
                                          {"traceparent", response->traceparent()},
                                          {"authorization", response->authorization()},
                                          {"attempts", response->attempts()}});
                  }})
            .ok());
    REQUIRE(
        router
            .Add({.method = "GET",
                  .pattern = "/api/me",
                  .permission = http::kPublic,
                  .handler =
                      [this](http::HttpRequest& request) -> asio::awaitable<http::HttpResponse> {
                    EchoRequest profile_request;
                    profile_request.set_text("profile");
                    EchoRequest extra_request;
                    extra_request.set_text("extra");
                    auto [profile, extra] = co_await FanOut(
                        echo_client->Call(request, "Echo", &EchoService::Stub::async::Echo,
                                          echo_stub->async(), profile_request,
                                          {.idempotent = true}),
                        dead_client->Call(request, "Echo", &EchoService::Stub::async::Echo,
                                          dead_stub->async(), extra_request, {.idempotent = true}));
                    json::object body;
                    json::array missing;
                    body["profile"] = profile.ok() ? json::value(profile->text()) : nullptr;
                    body["extra"] = extra.ok() ? json::value(extra->text()) : nullptr;
                    if (!profile.ok()) missing.push_back("echo");
                    if (!extra.ok()) missing.push_back("dead");
                    body["missing"] = std::move(missing);
                    co_return http::JsonResponse(200, body);
                  }})
            .ok());
    http::GatewayOptions gateway_options;
    gateway_options.access_log = false;
    gateway_options.rate_limits = false;
    gateway = std::make_unique<http::Gateway>(gateway_options, std::move(router), registry);
    gateway->AddReadinessCheck({"echo", [this] { return echo_client->Ready(); }});
    gateway->AddReadinessCheck({"dead", [this] { return dead_client->Ready(); }});
    http::ServerOptions server_options;
    server_options.port = 0;
    server_options.io_threads = 1;  // one I/O thread: a stall would show
    absl::StatusOr<http::HttpServerPtr> started = http::HttpServer::Start(server_options, *gateway);
    REQUIRE(started.ok());
    server = std::move(*started);
    port = server->port();
  }

  ~Fixture() {
    echo.OpenGate();
    server->Shutdown(absl::Seconds(5));
    echo_client->Stop();
    dead_client->Stop();
    server.reset();
    grpc_server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  }

  metrics::Registry registry;
  EchoImpl echo;
  int grpc_port = 0;
  std::unique_ptr<grpc::Server> grpc_server;
  std::unique_ptr<ServiceClient> echo_client;
  std::unique_ptr<ServiceClient> dead_client;
  std::unique_ptr<EchoService::Stub> echo_stub;
  std::unique_ptr<EchoService::Stub> dead_stub;
  std::unique_ptr<http::Gateway> gateway;
  http::HttpServerPtr server;
  int port = 0;
};

json::value Json(const TestResponse& response) { return json::parse(response.body); }

TEST_CASE("request id, traceparent and the caller's authorization reach the service",
          "[downstream]") {
  Fixture f;
  TestHttpClient client(f.port);
  const std::string trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  std::optional<TestResponse> response = client.Get(
      "/api/echo?text=hi",
      {{"X-Request-Id", "req-42"}, {"traceparent", trace}, {"Authorization", "Bearer token-1"}});
  REQUIRE(response.has_value());
  REQUIRE(response->status == 200);
  json::value body = Json(*response);
  CHECK(body.at("text").as_string() == "hi");
  CHECK(body.at("request_id").as_string() == "req-42");
  CHECK(body.at("traceparent").as_string() == trace);
  CHECK(body.at("authorization").as_string() == "Bearer token-1");
  // Without them the BFF still sends its own request id and a fresh traceparent.
  body = Json(*client.Get("/api/echo?text=plain"));
  CHECK(body.at("request_id").as_string().size() == 36);
  CHECK(body.at("traceparent").as_string().size() == 55);
  CHECK(body.at("authorization").as_string() == "");
}

TEST_CASE("a slow service answers 504 at the deadline, a dead one 503 at once", "[downstream]") {
  Fixture f;
  TestHttpClient client(f.port);
  std::optional<TestResponse> slow =
      client.Get("/api/echo?text=slow&delay_ms=3000&deadline_ms=100");
  REQUIRE(slow.has_value());
  CHECK(slow->status == 504);
  CHECK(slow->Header("content-type") == "application/problem+json");
  // The deadline is 20 s: a 503 (not a 504) proves the call failed fast instead of waiting.
  std::optional<TestResponse> dead = client.Get("/api/echo?service=dead&deadline_ms=20000");
  REQUIRE(dead.has_value());
  CHECK(dead->status == 503);
  CHECK_FALSE(absl::StrContains(dead->body, "127.0.0.1"));  // no internals
}

TEST_CASE("only idempotent calls are retried, and only on UNAVAILABLE", "[downstream]") {
  Fixture f;
  TestHttpClient client(f.port);
  std::optional<TestResponse> retried =
      client.Get("/api/echo?text=r1&fail=14&fail_times=2&idempotent=1&deadline_ms=5000");
  REQUIRE(retried->status == 200);
  CHECK(Json(*retried).at("attempts").as_int64() == 3);

  CHECK(client.Get("/api/echo?text=r2&fail=14&fail_times=2&deadline_ms=5000")->status == 503);
  CHECK(f.echo.Attempts("r2") == 1);

  CHECK(client.Get("/api/echo?text=r3&fail=14&idempotent=1&deadline_ms=5000")->status == 503);
  CHECK(f.echo.Attempts("r3") == 3);  // the first attempt and two retries

  CHECK(client.Get("/api/echo?text=r4&fail=13&idempotent=1&deadline_ms=5000")->status == 500);
  CHECK(f.echo.Attempts("r4") == 1);

  std::string metrics = client.Get("/metrics")->body;
  CHECK(absl::StrContains(metrics,
                          "bff_downstream_retries_total{service=\"echo\",method=\"Echo\"} 4"));
  CHECK(absl::StrContains(
      metrics, "bff_downstream_calls_total{service=\"echo\",method=\"Echo\",code=\"OK\"} 1"));
  CHECK(absl::StrContains(
      metrics,
      "bff_downstream_calls_total{service=\"echo\",method=\"Echo\",code=\"UNAVAILABLE\"} 2"));
  CHECK(absl::StrContains(metrics, "bff_downstream_call_duration_seconds_count{service=\"echo\""));
}

TEST_CASE("service statuses become problem details", "[downstream]") {
  Fixture f;
  TestHttpClient client(f.port);
  const std::pair<int, int> rows[] = {{3, 400}, {5, 404},  {6, 409},  {7, 403},  {8, 429},
                                      {9, 409}, {10, 409}, {16, 401}, {13, 500}, {12, 500},
                                      {2, 500}, {4, 504},  {14, 503}};
  for (const auto& [code, status] : rows) {
    INFO("grpc code " << code);
    std::optional<TestResponse> response =
        client.Get("/api/echo?text=c" + std::to_string(code) + "&fail=" + std::to_string(code));
    REQUIRE(response.has_value());
    CHECK(response->status == status);
    json::value body = Json(*response);
    CHECK(body.at("status").as_int64() == status);
    CHECK(body.at("request_id").as_string() == response->Header("x-request-id"));
    if (code == 3) {
      // From the BadRequest details in grpc-status-details-bin.
      CHECK(body.at("errors").at("text").as_string() == "must not be like this (internal db-7)");
    }
    if (status >= 500) {
      CHECK_FALSE(absl::StrContains(response->body, "db-7"));
    }
  }
}

TEST_CASE("service field paths become the names the JSON bodies use", "[downstream]") {
  CHECK(JsonFieldPath("user.email") == "email");
  CHECK(JsonFieldPath("user.display_name") == "displayName");
  CHECK(JsonFieldPath("role.permissions[1]") == "permissions[1]");
  CHECK(JsonFieldPath("expire_time") == "expireTime");
  CHECK(JsonFieldPath("user_id") == "userId");
  CHECK(JsonFieldPath("filter.actor_id") == "filter.actorId");
  CHECK(JsonFieldPath("_sort") == "_sort");
  CHECK(JsonFieldPath("user.") == "user.");
  CHECK(JsonFieldPath("page.page_token") == "cursor");

  // Without BadRequest details the field comes from the message.
  http::Problem problem = http::ProblemFromStatus(FromGrpcStatus(
      grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "user.email: must contain @")));
  REQUIRE(problem.errors.size() == 1);
  CHECK(problem.errors[0].first == "email");
  CHECK(problem.errors[0].second == "must contain @");
  CHECK(problem.detail == "user.email: must contain @");
  CHECK(http::ProblemFromStatus(
            FromGrpcStatus(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "Nothing to update")))
            .errors.empty());
  CHECK(http::ProblemFromStatus(
            FromGrpcStatus(grpc::Status(grpc::StatusCode::NOT_FOUND, "user.id: no such user")))
            .errors.empty());
}

TEST_CASE("fan-out reports a failed part as missing", "[downstream]") {
  Fixture f;
  std::optional<TestResponse> response = testing::GetOnce(f.port, "/api/me");
  REQUIRE(response.has_value());
  REQUIRE(response->status == 200);
  json::value body = Json(*response);
  CHECK(body.at("profile").as_string() == "profile");
  CHECK(body.at("extra").is_null());
  CHECK(body.at("missing").as_array() == json::array{"dead"});
}

TEST_CASE("a slow service does not stall other requests on the same I/O thread", "[downstream]") {
  Fixture f;
  TestHttpClient held(f.port);
  REQUIRE(
      held.SendRaw("GET /api/echo?text=held&gate=1&deadline_ms=20000 HTTP/1.1\r\nHost: x\r\n\r\n"));
  while (f.echo.Attempts("held") == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // The held call is in flight on the only I/O thread; others are still served.
  TestHttpClient other(f.port);
  CHECK(other.Get("/healthz")->status == 200);
  CHECK(other.Get("/api/echo?text=quick")->status == 200);
  f.echo.OpenGate();
  std::optional<TestResponse> released = held.Read();
  REQUIRE(released.has_value());
  CHECK(released->status == 200);
  CHECK(Json(*released).at("text").as_string() == "held");
}

TEST_CASE("CancelAllAndWait ends calls in flight", "[downstream]") {
  Fixture f;
  TestHttpClient held(f.port);
  REQUIRE(held.SendRaw(
      "GET /api/echo?text=cancel&gate=1&deadline_ms=20000 HTTP/1.1\r\nHost: x\r\n\r\n"));
  while (f.echo.Attempts("cancel") == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  f.echo_client->CancelAllAndWait();
  std::optional<TestResponse> cancelled = held.Read();
  REQUIRE(cancelled.has_value());
  CHECK(cancelled->status == 500);  // CANCELLED is not a caller's fault
}

TEST_CASE("readiness follows the channels", "[downstream]") {
  Fixture f;
  for (int i = 0; i < 400 && !f.echo_client->Ready(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(f.echo_client->Ready());
  CHECK_FALSE(f.dead_client->Ready());
  std::optional<TestResponse> ready = testing::GetOnce(f.port, "/readyz");
  CHECK(ready->status == 503);
  CHECK(absl::StrContains(ready->body, "dead"));
  CHECK_FALSE(absl::StrContains(ready->body, "echo"));
}

// Waits (bounded) until `done` holds, polling.
bool Within(absl::Duration limit, const std::function<bool()>& done) {
  absl::Time deadline = absl::Now() + limit;
  while (!done()) {
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return true;
}

// One fail-fast Echo call (no wait_for_ready, as the routes make them) through the next stub of
// `stubs`, waited for.
grpc::Status EchoThrough(const StubSet<EchoService>& stubs, const std::string& text) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  EchoRequest request;
  request.set_text(text);
  EchoResponse response;
  absl::Notification done;
  grpc::Status status;
  stubs.async()->Echo(&context, &request, &response, [&](grpc::Status result) {
    status = std::move(result);
    done.Notify();
  });
  done.WaitForNotification();
  return status;
}

// Six calls taken in turn from a StubSet of a client with `connections`; the connections the
// service saw them on.
size_t ConnectionsUsed(int connections) {
  Fixture f;
  std::unique_ptr<ServiceClient> client =
      ServiceClient::Create({.name = "spread",
                             .address = "127.0.0.1:" + std::to_string(f.grpc_port),
                             .connections = connections},
                            f.registry);
  StubSet<EchoService> stubs(*client);
  CHECK(stubs.size() == static_cast<size_t>(connections));
  // Every connection up first: calls skip the ones still connecting.
  REQUIRE(Within(absl::Seconds(10), [&] {
    for (const auto& channel : client->channels()) {
      if (channel->GetState(/*try_to_connect=*/true) != GRPC_CHANNEL_READY) return false;
    }
    return true;
  }));
  for (int i = 0; i < 6; ++i) {
    REQUIRE(EchoThrough(stubs, "spread").ok());
  }
  return f.echo.Peers().size();
}

TEST_CASE("a client's calls spread over its connections in turn", "[downstream]") {
  CHECK(ConnectionsUsed(1) == 1);
  CHECK(ConnectionsUsed(3) == 3);
}

TEST_CASE("after the service restarts, calls take the connections that are back", "[downstream]") {
  Fixture f;
  std::unique_ptr<ServiceClient> client = ServiceClient::Create(
      {.name = "restart", .address = "127.0.0.1:" + std::to_string(f.grpc_port), .connections = 4},
      f.registry);
  StubSet<EchoService> stubs(*client);
  REQUIRE(Within(absl::Seconds(10), [&] { return client->Ready(); }));
  auto ready = [&] {
    int count = 0;
    for (const auto& channel : client->channels()) {
      count += channel->GetState(false) == GRPC_CHANNEL_READY ? 1 : 0;
    }
    return count;
  };

  // Down long enough for the channels' reconnect attempts to fail and back off, each on its own
  // jittered schedule; then back on the same port.
  f.grpc_server->Shutdown();  // the fixture's second Shutdown is a no-op
  REQUIRE(Within(absl::Seconds(10), [&] { return ready() == 0; }));
  absl::SleepFor(absl::Seconds(2));
  EchoImpl restarted;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:" + std::to_string(f.grpc_port),
                           grpc::InsecureServerCredentials());
  builder.RegisterService(&restarted);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  REQUIRE(server != nullptr);
  REQUIRE(Within(absl::Seconds(10), [&] { return ready() > 0; }));
  INFO("connections READY when the calls start: " << ready() << " of 4");

  // Fail-fast calls (no wait_for_ready), as the routes make them: none may land on a connection
  // that is still waiting to reconnect.
  for (int i = 0; i < 20; ++i) {
    grpc::Status status = EchoThrough(stubs, "after restart");
    CHECK(status.error_message() == "");
    CHECK(status.ok());
  }
  server->Shutdown();
}

}  // namespace
}  // namespace backoffice::bff::downstream
