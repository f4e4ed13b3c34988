#include "libs/server/service_host.h"

#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/server_context.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <set>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "libs/metrics/metrics.h"
#include "libs/server/request_context.h"
#include "libs/server/test_http_client.h"
#include "libs/server/testdata/echo.grpc.pb.h"
#include "third_party/grpc_health/health.grpc.pb.h"

namespace backoffice::server {
namespace {

using backoffice::testing::v1::EchoRequest;
using backoffice::testing::v1::EchoResponse;
using backoffice::testing::v1::EchoService;
using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

// Echoes the text and the request id it saw; can answer late (from another thread) or fail.
class EchoServiceImpl final : public EchoService::CallbackService {
 public:
  ~EchoServiceImpl() override {
    for (std::thread& thread : late_answers_) {
      thread.join();
    }
  }

  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* context, const EchoRequest* request,
                                 EchoResponse* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    response->set_text(request->text());
    response->set_request_id(RequestIdOf(*context));
    response->set_trace_id(TraceIdOf(*context));
    grpc::Status status =
        request->fail_with_code() == 0
            ? grpc::Status::OK
            : grpc::Status(static_cast<grpc::StatusCode>(request->fail_with_code()),
                           "asked to fail");
    if (request->delay_ms() == 0) {
      reactor->Finish(status);
      return reactor;
    }
    started_.Notify();
    late_answers_.emplace_back([reactor, status, delay = request->delay_ms()] {
      absl::SleepFor(absl::Milliseconds(delay));
      reactor->Finish(status);
    });
    return reactor;
  }

  absl::Notification started_;

 private:
  std::vector<std::thread> late_answers_;
};

struct Fixture {
  explicit Fixture(absl::Duration health_interval = absl::Seconds(2))
      : host({.name = "echo",
              .grpc_port = 0,
              .admin_port = 0,
              .shutdown_grace = absl::Seconds(10),
              .health_interval = health_interval,
              .registry = &registry}) {
    host.RegisterService(&service);
    host.AddReadinessCheck("dependency", [this]() -> absl::Status {
      return dependency_up ? absl::OkStatus() : absl::UnavailableError("dependency is down");
    });
    REQUIRE(host.Start().ok());
    channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", host.grpc_port()),
                                  grpc::InsecureChannelCredentials());
    stub = EchoService::NewStub(channel);
  }

  HealthCheckResponse::ServingStatus Health() {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    HealthCheckRequest request;
    HealthCheckResponse response;
    grpc::Status status = Health::NewStub(channel)->Check(&context, request, &response);
    REQUIRE(status.ok());
    return response.status();
  }

  metrics::Registry registry;
  EchoServiceImpl service;
  std::atomic<bool> dependency_up{true};
  ServiceHost host;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<EchoService::Stub> stub;
};

grpc::Status CallEcho(EchoService::Stub& stub, const EchoRequest& request, EchoResponse& response,
                      grpc::ClientContext& context) {
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return stub.Echo(&context, request, &response);
}

std::string ServerRequestId(const grpc::ClientContext& context) {
  auto it = context.GetServerInitialMetadata().find(kRequestIdKey);
  if (it == context.GetServerInitialMetadata().end()) {
    return "";
  }
  return std::string(it->second.data(), it->second.size());
}

TEST_CASE("service host serves gRPC, health and the caller's request id") {
  Fixture fixture;
  CHECK(fixture.Health() == HealthCheckResponse::SERVING);

  grpc::ClientContext context;
  context.AddMetadata("x-request-id", "req-42");
  context.AddMetadata("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  EchoRequest request;
  request.set_text("hello");
  EchoResponse response;
  REQUIRE(CallEcho(*fixture.stub, request, response, context).ok());
  CHECK(response.text() == "hello");
  CHECK(response.request_id() == "req-42");
  CHECK(response.trace_id() == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(ServerRequestId(context) == "req-42");
}

TEST_CASE("service host gives calls without a valid request id a fresh one") {
  Fixture fixture;
  for (const char* given : {"", "has spaces", "quote\"brace{"}) {
    grpc::ClientContext context;
    if (*given != '\0') {
      context.AddMetadata("x-request-id", given);
    }
    EchoResponse response;
    REQUIRE(CallEcho(*fixture.stub, EchoRequest(), response, context).ok());
    CHECK(IsValidRequestId(response.request_id()));
    CHECK(response.request_id() != given);
    CHECK(ServerRequestId(context) == response.request_id());
  }
}

TEST_CASE("service host counts and times calls by status code on /metrics") {
  Fixture fixture;
  for (int i = 0; i < 3; ++i) {
    grpc::ClientContext context;
    EchoResponse response;
    REQUIRE(CallEcho(*fixture.stub, EchoRequest(), response, context).ok());
  }
  grpc::ClientContext context;
  EchoRequest failing;
  failing.set_fail_with_code(static_cast<int>(grpc::StatusCode::NOT_FOUND));
  EchoResponse response;
  CHECK(CallEcho(*fixture.stub, failing, response, context).error_code() ==
        grpc::StatusCode::NOT_FOUND);

  testing::TestHttpClient admin(fixture.host.admin_port());
  auto metrics = admin.Get("/metrics");
  REQUIRE(metrics.result_int() == 200);
  const std::string labels =
      "grpc_service=\"backoffice.testing.v1.EchoService\",grpc_method=\"Echo\","
      "grpc_type=\"unary\"";
  CHECK_THAT(metrics.body(), Catch::Contains("grpc_server_started_total{" + labels + "} 4"));
  CHECK_THAT(metrics.body(),
             Catch::Contains("grpc_server_handled_total{" + labels + ",grpc_code=\"OK\"} 3"));
  CHECK_THAT(metrics.body(), Catch::Contains("grpc_server_handled_total{" + labels +
                                             ",grpc_code=\"NOT_FOUND\"} 1"));
  CHECK_THAT(metrics.body(),
             Catch::Contains("grpc_server_handling_seconds_count{" + labels + "} 4"));
}

TEST_CASE("readiness follows the checks on /readyz and the gRPC health service") {
  Fixture fixture(absl::Milliseconds(20));
  testing::TestHttpClient admin(fixture.host.admin_port());
  CHECK(admin.Get("/healthz").result_int() == 200);
  CHECK(admin.Get("/readyz").result_int() == 200);

  fixture.dependency_up = false;
  auto not_ready = admin.Get("/readyz");
  CHECK(not_ready.result_int() == 503);
  CHECK_THAT(not_ready.body(), Catch::Contains("dependency: dependency is down"));
  CHECK(admin.Get("/healthz").result_int() == 200);  // alive, just not ready

  // The health status is refreshed in the background; wait for it (bounded).
  HealthCheckResponse::ServingStatus status = HealthCheckResponse::SERVING;
  for (int i = 0; i < 500 && status != HealthCheckResponse::NOT_SERVING; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
    status = fixture.Health();
  }
  CHECK(status == HealthCheckResponse::NOT_SERVING);

  fixture.dependency_up = true;
  for (int i = 0; i < 500 && status != HealthCheckResponse::SERVING; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
    status = fixture.Health();
  }
  CHECK(status == HealthCheckResponse::SERVING);
  CHECK(admin.Get("/readyz").result_int() == 200);
}

TEST_CASE("shutdown lets a call in flight finish, then refuses new calls") {
  Fixture fixture;
  grpc::Status slow_status;
  EchoResponse slow_response;
  std::thread slow_call([&] {
    grpc::ClientContext context;
    EchoRequest request;
    request.set_text("slow");
    request.set_delay_ms(300);
    slow_status = CallEcho(*fixture.stub, request, slow_response, context);
  });
  REQUIRE(fixture.service.started_.WaitForNotificationWithTimeout(absl::Seconds(10)));

  fixture.host.Shutdown();  // returns once the server has stopped
  slow_call.join();
  CHECK(slow_status.ok());
  CHECK(slow_response.text() == "slow");

  grpc::ClientContext context;
  context.set_wait_for_ready(false);
  EchoResponse response;
  grpc::Status after = CallEcho(*fixture.stub, EchoRequest(), response, context);
  CHECK(after.error_code() == grpc::StatusCode::UNAVAILABLE);
  CHECK_THROWS(testing::TestHttpClient(fixture.host.admin_port()));
  fixture.host.Shutdown();  // idempotent
}

TEST_CASE("service host reports a gRPC port that is taken") {
  Fixture first;
  metrics::Registry registry;
  ServiceHost second(
      {.name = "second", .grpc_port = first.host.grpc_port(), .registry = &registry});
  absl::Status started = second.Start();
  REQUIRE_FALSE(started.ok());
  CHECK_THAT(std::string(started.message()), Catch::Contains("cannot listen for gRPC"));
}

// A synchronous Echo that records the (kernel) thread each call runs on and holds every call until
// `group` calls are in at once (so each round needs `group` handler threads together).
class BlockingEchoService final : public EchoService::Service {
 public:
  explicit BlockingEchoService(int group) : group_(group) {}

  grpc::Status Echo(grpc::ServerContext* context, const EchoRequest* request,
                    EchoResponse* response) override {
    absl::MutexLock lock(&mutex_);
    threads_.insert(gettid());  // kernel ids: glibc reuses pthread_t values
    int round = arrived_++ / group_;
    auto round_full = [this, round]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
      return arrived_ >= (round + 1) * group_;
    };
    if (!mutex_.AwaitWithTimeout(absl::Condition(&round_full), absl::Seconds(20))) {
      return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "the round never filled");
    }
    response->set_text(request->text());
    return grpc::Status::OK;
  }

  size_t DistinctThreads() {
    absl::MutexLock lock(&mutex_);
    return threads_.size();
  }

 private:
  const int group_;
  absl::Mutex mutex_;
  int arrived_ ABSL_GUARDED_BY(mutex_) = 0;
  std::set<pid_t> threads_ ABSL_GUARDED_BY(mutex_);
};

TEST_CASE("synchronous handler threads are reused across bursts of concurrent calls") {
  constexpr int kConcurrent = 8;
  constexpr int kRounds = 10;
  metrics::Registry registry;
  BlockingEchoService service(kConcurrent);
  ServiceHost host({.name = "blocking", .registry = &registry});
  host.RegisterService(&service);
  REQUIRE(host.Start().ok());
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", host.grpc_port()),
                                     grpc::InsecureChannelCredentials());
  auto stub = EchoService::NewStub(channel);
  for (int round = 0; round < kRounds; ++round) {
    std::vector<grpc::Status> results(kConcurrent);
    std::vector<std::thread> callers;
    for (int i = 0; i < kConcurrent; ++i) {
      callers.emplace_back([&, i] {
        grpc::ClientContext context;
        EchoResponse response;
        results[i] = CallEcho(*stub, EchoRequest(), response, context);
      });
    }
    for (std::thread& caller : callers) {
      caller.join();
    }
    for (const grpc::Status& result : results) {
      REQUIRE(result.ok());
    }
  }
  // Each round needs kConcurrent threads at once. Threads that finish keep polling for the next
  // call, so later rounds reuse them (gRPC's default of 2 idle pollers let all but two exit after
  // every round: about kConcurrent + (kConcurrent - 2) * (kRounds - 1) = 62 threads here).
  CHECK(service.DistinctThreads() <= 2 * kConcurrent);
  host.Shutdown();
}

}  // namespace
}  // namespace backoffice::server
