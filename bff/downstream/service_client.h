#pragma once

#include <grpcpp/alarm.h>
#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/completion_queue.h>
#include <grpcpp/support/status.h>

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bff/downstream/grpc_status_conversion.h"
#include "bff/http/http_request.h"

namespace backoffice::metrics {
class Registry;
}

namespace backoffice::bff::downstream {

/// One downstream service: where it is and how calls to it behave by default.
struct ServiceOptions {
  /// Metric label and log name: "users", "roles", ...
  std::string name;
  /// gRPC target: "127.0.0.1:50051", "dns:///users:50051".
  std::string address;
  /// Deadline of a call that does not set its own.
  absl::Duration default_deadline = absl::Seconds(2);
  /// Retries after the first attempt, for idempotent calls that fail with UNAVAILABLE.
  int max_retries = 2;
  /// First retry backoff; doubles per retry, jittered by ±50 %.
  absl::Duration retry_backoff = absl::Milliseconds(25);
  /// HTTP/2 connections to the service (one channel each); calls take them in turn (StubSet).
  /// gRPC serializes each connection's work on one lock, and a busy lock hands writes to its
  /// executor thread (a thread switch per call on both sides); several connections keep the
  /// concurrent calls of a busy gateway from queueing on one.
  int connections = 1;
  /// HTTP/2 ping interval while calls are open (libs/server/keepalive.h): a service that
  /// vanished without closing the connection fails its calls, watch streams included, within
  /// about twice this.
  absl::Duration keepalive = absl::Seconds(10);
};

/// How one call behaves.
struct CallOptions {
  /// Whole-call deadline including retries; the service's default when zero.
  absl::Duration deadline = absl::ZeroDuration();
  /// Reads and other calls safe to repeat: only these are retried, and only on UNAVAILABLE.
  bool idempotent = false;
};

/// The metadata every call carries, from the HTTP request that caused it.
struct CallMetadata {
  std::string request_id;
  std::string traceparent;
  /// "Bearer <jwt>": the principal's, else the request's Authorization header, else none.
  std::string authorization;

  static CallMetadata From(const http::HttpRequest& request);
};

/// One attempt's type-erased work: start the gRPC callback call on `context`.
class UnaryAttempt {
 public:
  virtual ~UnaryAttempt() = default;
  /// Starts the call; `done` runs once on a gRPC thread.
  virtual void Start(grpc::ClientContext* context, std::function<void(grpc::Status)> done) = 0;
  /// Clears the response before a retry.
  virtual void Reset() = 0;
};

/// The channel to one service and awaitable unary calls over gRPC's callback API. The calling
/// coroutine suspends while the call runs and resumes on its own executor (the I/O thread that
/// serves the request) when gRPC completes it; nothing ever blocks an I/O thread. Every call has a
/// deadline, carries x-request-id, traceparent and the caller's authorization, and is counted in
/// bff_downstream_calls_total{service,method,code} and timed in
/// bff_downstream_call_duration_seconds{service,method}. Keep one ServiceClient per service for
/// the life of the process, and one StubSet per service (stubs are thread-safe).
///
///   downstream::StubSet<users::v1::UsersService> stubs(users);  // at start-up
///   ...
///   users::v1::GetUserRequest get;
///   get.set_id(std::string(request.PathParam("id")));
///   absl::StatusOr<users::v1::User> user = co_await users.Call(
///       request, "GetUser", &users::v1::UsersService::Stub::async::GetUser, stubs.async(), get,
///       {.idempotent = true});
///   if (!user.ok()) co_return http::ProblemResponse(request, user.status());
///
/// GCC 12 destroys a capturing lambda twice when it is created inside a co_await expression;
/// this signature needs none. Pass the request message as a named variable, not a temporary.
class ServiceClient {
 public:
  /// Creates the channel (plaintext, reconnecting with a short backoff) and the metrics.
  static std::unique_ptr<ServiceClient> Create(ServiceOptions options, metrics::Registry& registry);

  ServiceClient(ServiceOptions options, std::vector<std::shared_ptr<grpc::Channel>> channels,
                metrics::Registry& registry);
  ~ServiceClient();

  ServiceClient(const ServiceClient&) = delete;
  ServiceClient& operator=(const ServiceClient&) = delete;

  const std::string& name() const { return options_.name; }
  /// The first channel (for streams and watchers that need one).
  const std::shared_ptr<grpc::Channel>& channel() const { return channels_.front(); }
  /// Every channel, one per connection (`ServiceOptions::connections`).
  const std::vector<std::shared_ptr<grpc::Channel>>& channels() const { return channels_; }

  /// Whether any channel is READY (calls take those), as a watcher thread keeps it (that thread
  /// also keeps every channel connecting). A cheap atomic read, safe on I/O threads.
  bool Ready() const;

  /// A callback-API method of a generated stub: `&Service::Stub::async::Method`.
  template <typename AsyncStub, typename Request, typename Response>
  using AsyncMethod = void (AsyncStub::*)(grpc::ClientContext*, const Request*, Response*,
                                          std::function<void(grpc::Status)>);

  /// Runs one unary call for `caller` (its request id, traceparent and authorization travel
  /// along). `request` is copied before the call starts. Returns the response, or the call's
  /// status converted by FromGrpcStatus: DEADLINE_EXCEEDED when the deadline passed (→ 504),
  /// UNAVAILABLE when the service is down (→ 503), the service's own status otherwise.
  template <typename AsyncStub, typename Request, typename Response>
  boost::asio::awaitable<absl::StatusOr<Response>> Call(
      const http::HttpRequest& caller, std::string_view method_name,
      AsyncMethod<AsyncStub, Request, Response> method, AsyncStub* stub, const Request& request,
      CallOptions options = {}) {
    return Call(CallMetadata::From(caller), method_name, method, stub, request, options);
  }

  /// Call with explicit metadata (for work not caused by an HTTP request).
  template <typename AsyncStub, typename Request, typename Response>
  boost::asio::awaitable<absl::StatusOr<Response>> Call(
      CallMetadata metadata, std::string_view method_name,
      AsyncMethod<AsyncStub, Request, Response> method, AsyncStub* stub, const Request& request,
      CallOptions options = {}) {
    // Not a coroutine: everything the call needs is copied here, before the caller suspends.
    auto attempt =
        std::make_shared<StubAttempt<AsyncStub, Request, Response>>(method, stub, request);
    return AwaitResponse<Response>(
        Unary(std::move(metadata), std::string(method_name), options, attempt), attempt);
  }

  /// The type-erased core of Call: attempts, retries, deadline, metadata and metrics.
  boost::asio::awaitable<grpc::Status> Unary(CallMetadata metadata, std::string method,
                                             CallOptions options,
                                             std::shared_ptr<UnaryAttempt> attempt);

  /// Cancels calls in flight (CancelAllAndWait) and tells the channel watcher to stop, without
  /// waiting for it; the destructor then finishes quickly. Stopping several clients before
  /// destroying them lets their watchers wind down together. Idempotent.
  void Stop();

  /// Cancels every call in flight and waits until gRPC has run their callbacks. Call it after
  /// the HTTP server's I/O threads stopped and before they are destroyed.
  void CancelAllAndWait();

 private:
  template <typename Response>
  class ResponseHolder : public UnaryAttempt {
   public:
    void Reset() override { response = Response(); }
    Response response;
  };

  template <typename AsyncStub, typename Request, typename Response>
  class StubAttempt final : public ResponseHolder<Response> {
   public:
    StubAttempt(AsyncMethod<AsyncStub, Request, Response> method, AsyncStub* stub,
                const Request& request)
        : method_(method), stub_(stub), request_(request) {}
    void Start(grpc::ClientContext* context, std::function<void(grpc::Status)> done) override {
      (stub_->*method_)(context, &request_, &this->response, std::move(done));
    }

   private:
    AsyncMethod<AsyncStub, Request, Response> method_;
    AsyncStub* stub_;
    Request request_;
  };

  template <typename Response>
  static boost::asio::awaitable<absl::StatusOr<Response>> AwaitResponse(
      boost::asio::awaitable<grpc::Status> call,
      std::shared_ptr<ResponseHolder<Response>> attempt) {
    grpc::Status status = co_await std::move(call);
    if (!status.ok()) {
      co_return FromGrpcStatus(status);
    }
    co_return std::move(attempt->response);
  }

  struct State;

  boost::asio::awaitable<grpc::Status> Attempt(const CallMetadata& metadata, absl::Time deadline,
                                               const std::shared_ptr<UnaryAttempt>& attempt);

  void WatchChannel();

  const ServiceOptions options_;
  const std::vector<std::shared_ptr<grpc::Channel>> channels_;
  std::shared_ptr<State> state_;
  std::atomic<bool> ready_{false};
  std::atomic<bool> stopping_{false};
  grpc::CompletionQueue watch_queue_;
  grpc::Alarm wake_;
  std::thread watcher_;
};

}  // namespace backoffice::bff::downstream
