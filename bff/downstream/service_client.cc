#include "bff/downstream/service_client.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <algorithm>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/random/random.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "libs/metrics/metrics.h"
#include "libs/server/keepalive.h"
#include "libs/server/request_context.h"

namespace backoffice::bff::downstream {
namespace {

namespace asio = boost::asio;

std::string_view CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "UNKNOWN";
  }
}

}  // namespace

CallMetadata CallMetadata::From(const http::HttpRequest& request) {
  CallMetadata metadata;
  metadata.request_id = request.request_id;
  metadata.traceparent = request.traceparent;
  if (request.principal.has_value() && !request.principal->authorization.empty()) {
    metadata.authorization = request.principal->authorization;
  } else {
    metadata.authorization = std::string(request.headers.Get("authorization"));
  }
  return metadata;
}

// Shared with gRPC callbacks, which may outlive a suspended coroutine (its frame can be
// destroyed at shutdown while the call is still in flight).
struct ServiceClient::State {
  State(metrics::Registry& registry)
      : calls(registry.Counter("bff_downstream_calls_total",
                               "Calls to downstream services by outcome.",
                               {"service", "method", "code"})),
        duration(registry.Histogram("bff_downstream_call_duration_seconds",
                                    "Downstream call time including retries.",
                                    {"service", "method"}, metrics::kDefaultLatencyBuckets)),
        retries(registry.Counter("bff_downstream_retries_total",
                                 "Retried downstream attempts (idempotent calls on UNAVAILABLE).",
                                 {"service", "method"})) {}

  metrics::CounterFamily& calls;
  metrics::HistogramFamily& duration;
  metrics::CounterFamily& retries;

  absl::Mutex mutex;
  absl::flat_hash_map<grpc::ClientContext*, std::shared_ptr<grpc::ClientContext>> in_flight
      ABSL_GUARDED_BY(mutex);
};

std::unique_ptr<ServiceClient> ServiceClient::Create(ServiceOptions options,
                                                     metrics::Registry& registry) {
  grpc::ChannelArguments arguments;
  arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 500);
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 5000);
  arguments.SetInt(GRPC_ARG_ENABLE_HTTP_PROXY, 0);
  arguments.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);  // our own, bounded and only when idempotent
  // Channels with equal arguments share one connection through gRPC's global subchannel pool;
  // a pool of the channel's own gives each its own.
  arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  server::SetClientKeepalive(arguments, options.keepalive);
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < std::max(1, options.connections); ++i) {
    channels.push_back(
        grpc::CreateCustomChannel(options.address, grpc::InsecureChannelCredentials(), arguments));
  }
  return std::make_unique<ServiceClient>(std::move(options), std::move(channels), registry);
}

ServiceClient::ServiceClient(ServiceOptions options,
                             std::vector<std::shared_ptr<grpc::Channel>> channels,
                             metrics::Registry& registry)
    : options_(std::move(options)),
      channels_(std::move(channels)),
      state_(std::make_shared<State>(registry)) {
  watcher_ = std::thread([this] { WatchChannel(); });
}

ServiceClient::~ServiceClient() {
  Stop();
  watcher_.join();
  watch_queue_.Shutdown();
  void* tag = nullptr;
  bool ok = false;
  while (watch_queue_.Next(&tag, &ok)) {
  }
}

void ServiceClient::Stop() {
  CancelAllAndWait();
  if (!stopping_.exchange(true)) {
    static char kWake = 0;
    wake_.Set(&watch_queue_, std::chrono::system_clock::now(), &kWake);
  }
}

bool ServiceClient::Ready() const { return ready_.load(std::memory_order_relaxed); }

void ServiceClient::WatchChannel() {
  // Waiting on a completion queue polls the channel's sockets, so a connection attempt completes
  // at once instead of at gRPC's 5 s backup poll; the loop also keeps an idle channel connecting.
  static char kStateChanged = 0;
  while (!stopping_.load()) {
    // Ready while any connection is: calls take the connected ones (StubSet), so one still in
    // reconnect backoff after a restart must not hold /readyz down.
    bool any_ready = false;
    for (const std::shared_ptr<grpc::Channel>& channel : channels_) {
      any_ready = channel->GetState(/*try_to_connect=*/true) == GRPC_CHANNEL_READY || any_ready;
    }
    ready_.store(any_ready, std::memory_order_relaxed);
    // Woken by the first channel's change or after 200 ms, whichever comes first.
    channel()->NotifyOnStateChange(
        channel()->GetState(/*try_to_connect=*/false),
        std::chrono::system_clock::now() + std::chrono::milliseconds(200), &watch_queue_,
        &kStateChanged);
    void* tag = nullptr;
    bool ok = false;
    if (!watch_queue_.Next(&tag, &ok)) {
      break;
    }
  }
}

void ServiceClient::CancelAllAndWait() {
  std::vector<std::shared_ptr<grpc::ClientContext>> contexts;
  {
    absl::MutexLock lock(&state_->mutex);
    for (const auto& [raw, context] : state_->in_flight) {
      contexts.push_back(context);
    }
  }
  // Outside the lock: a cancelled call's callback takes it.
  for (const std::shared_ptr<grpc::ClientContext>& context : contexts) {
    context->TryCancel();
  }
  contexts.clear();
  State* state = state_.get();
  absl::MutexLock lock(&state_->mutex);
  auto done = [state]()
                  ABSL_EXCLUSIVE_LOCKS_REQUIRED(state->mutex) { return state->in_flight.empty(); };
  state_->mutex.Await(absl::Condition(&done));
}

asio::awaitable<grpc::Status> ServiceClient::Attempt(const CallMetadata& metadata,
                                                     absl::Time deadline,
                                                     const std::shared_ptr<UnaryAttempt>& attempt) {
  auto context = std::make_shared<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(deadline));
  if (!metadata.request_id.empty()) {
    context->AddMetadata(server::kRequestIdKey, metadata.request_id);
  }
  if (!metadata.traceparent.empty()) {
    context->AddMetadata(server::kTraceparentKey, metadata.traceparent);
  }
  if (!metadata.authorization.empty()) {
    context->AddMetadata("authorization", metadata.authorization);
  }
  std::shared_ptr<State> state = state_;
  {
    absl::MutexLock lock(&state->mutex);
    state->in_flight.emplace(context.get(), context);
  }
  // Suspend until gRPC calls back (on one of its threads), then resume on this coroutine's
  // executor by posting the completion there.
  grpc::Status status =
      co_await asio::async_initiate<decltype(asio::use_awaitable), void(grpc::Status)>(
          [&](auto handler) {
            using Handler = decltype(handler);
            auto shared = std::make_shared<Handler>(std::move(handler));
            attempt->Start(context.get(), [shared, context, attempt, state](grpc::Status result) {
              {
                absl::MutexLock lock(&state->mutex);
                state->in_flight.erase(context.get());
              }
              auto executor = asio::get_associated_executor(*shared);
              asio::post(executor, [shared, result = std::move(result)]() mutable {
                std::move (*shared)(std::move(result));
              });
            });
          },
          asio::use_awaitable);
  co_return status;
}

asio::awaitable<grpc::Status> ServiceClient::Unary(CallMetadata metadata, std::string method,
                                                   CallOptions options,
                                                   std::shared_ptr<UnaryAttempt> attempt) {
  absl::Time started = absl::Now();
  absl::Duration budget =
      options.deadline > absl::ZeroDuration() ? options.deadline : options_.default_deadline;
  absl::Time deadline = started + budget;
  grpc::Status status;
  for (int attempt_number = 0;; ++attempt_number) {
    attempt->Reset();
    status = co_await Attempt(metadata, deadline, attempt);
    if (status.ok() || !options.idempotent ||
        status.error_code() != grpc::StatusCode::UNAVAILABLE ||
        attempt_number >= options_.max_retries) {
      break;
    }
    thread_local absl::BitGen generator;
    absl::Duration backoff =
        options_.retry_backoff * (1 << attempt_number) * absl::Uniform(generator, 0.5, 1.5);
    if (absl::Now() + backoff >= deadline) {
      break;
    }
    state_->retries.WithLabels({options_.name, method}).Increment();
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(std::chrono::nanoseconds(absl::ToInt64Nanoseconds(backoff)));
    co_await timer.async_wait(asio::use_awaitable);
  }
  state_->calls.WithLabels({options_.name, method, CodeName(status.error_code())}).Increment();
  state_->duration.WithLabels({options_.name, method})
      .Observe(absl::ToDoubleSeconds(absl::Now() - started));
  co_return status;
}

}  // namespace backoffice::bff::downstream
