#include "libs/server/rpc_interceptor.h"

#include <grpcpp/support/interceptor.h>
#include <grpcpp/support/status.h>

#include <string>
#include <string_view>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/log/log.h"
#include "libs/metrics/metrics.h"
#include "libs/server/request_context.h"

namespace backoffice::server {
namespace {

using grpc::experimental::InterceptionHookPoints;
using grpc::experimental::ServerRpcInfo;

const char* RpcTypeName(ServerRpcInfo::Type type) {
  switch (type) {
    case ServerRpcInfo::Type::UNARY:
      return "unary";
    case ServerRpcInfo::Type::CLIENT_STREAMING:
      return "client_stream";
    case ServerRpcInfo::Type::SERVER_STREAMING:
      return "server_stream";
    case ServerRpcInfo::Type::BIDI_STREAMING:
      return "bidi_stream";
  }
  return "unknown";
}

bool IsServerFault(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::DATA_LOSS:
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::UNIMPLEMENTED:
      return true;
    default:
      return false;
  }
}

/// The metric families, resolved once per server.
struct RpcMetrics {
  explicit RpcMetrics(metrics::Registry& registry)
      : started(registry.Counter("grpc_server_started_total", "RPCs started on the server.",
                                 {"grpc_service", "grpc_method", "grpc_type"})),
        handled(registry.Counter("grpc_server_handled_total",
                                 "RPCs completed on the server, by status code.",
                                 {"grpc_service", "grpc_method", "grpc_type", "grpc_code"})),
        latency(registry.Histogram("grpc_server_handling_seconds",
                                   "Time from the start of an RPC to its status being sent.",
                                   {"grpc_service", "grpc_method", "grpc_type"},
                                   metrics::kDefaultLatencyBuckets)) {}

  metrics::CounterFamily& started;
  metrics::CounterFamily& handled;
  metrics::HistogramFamily& latency;
};

class RpcInterceptor final : public grpc::experimental::Interceptor {
 public:
  RpcInterceptor(ServerRpcInfo* info, RpcMetrics& metrics)
      : metrics_(metrics), type_(RpcTypeName(info->type())), start_(absl::Now()) {
    std::string_view full_method = info->method();  // "/package.Service/Method"
    size_t slash = full_method.rfind('/');
    if (slash != std::string_view::npos && slash > 0) {
      service_ = std::string(full_method.substr(1, slash - 1));
      method_ = std::string(full_method.substr(slash + 1));
    } else {
      service_ = "unknown";
      method_ = std::string(full_method);
    }
    metrics_.started.WithLabels({service_, method_, type_}).Increment();
  }

  ~RpcInterceptor() override {
    if (!finished_) {
      // The status was never sent: the client went away or the server cancelled the call.
      Finish(grpc::StatusCode::CANCELLED, "");
    }
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      TakeRequestId(*methods->GetRecvInitialMetadata());
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      EnsureRequestId();
      methods->GetSendInitialMetadata()->emplace(kRequestIdKey, request_id_);
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      grpc::Status status = methods->GetSendStatus();
      Finish(status.error_code(), status.error_message());
    }
    methods->Proceed();
  }

 private:
  void EnsureRequestId() {
    if (request_id_.empty()) {
      request_id_ = NewRequestId();
    }
  }

  // Keeps the caller's request id if valid; otherwise replaces it in the received metadata with a
  // fresh one, so handlers that read the metadata see the same id that is logged and echoed.
  void TakeRequestId(std::multimap<grpc::string_ref, grpc::string_ref>& metadata) {
    auto it = metadata.find(kRequestIdKey);
    if (it != metadata.end()) {
      std::string_view given(it->second.data(), it->second.size());
      if (IsValidRequestId(given)) {
        request_id_ = std::string(given);
      } else {
        metadata.erase(it);
      }
    }
    auto trace = metadata.find(kTraceparentKey);
    if (trace != metadata.end()) {
      trace_id_ =
          TraceIdFromTraceparent(std::string_view(trace->second.data(), trace->second.size()));
    }
    if (request_id_.empty()) {
      request_id_ = NewRequestId();
      // request_id_ is not modified again, so the string_ref stays valid for the call's life.
      metadata.emplace(grpc::string_ref(kRequestIdKey),
                       grpc::string_ref(request_id_.data(), request_id_.size()));
    }
  }

  void Finish(grpc::StatusCode code, const std::string& message) {
    finished_ = true;
    double seconds = absl::ToDoubleSeconds(absl::Now() - start_);
    const char* code_name = StatusCodeName(code);
    metrics_.handled.WithLabels({service_, method_, type_, code_name}).Increment();
    metrics_.latency.WithLabels({service_, method_, type_}).Observe(seconds);

    log::ScopedContext context(request_id_, trace_id_);
    std::initializer_list<log::Field> fields = {
        {"grpc_service", service_},        {"grpc_method", method_},  {"grpc_code", code_name},
        {"duration_ms", seconds * 1000.0}, {"grpc_message", message},
    };
    if (code == grpc::StatusCode::OK) {
      log::Debug("rpc finished", fields);
    } else if (IsServerFault(code)) {
      log::Warn("rpc failed", fields);
    } else {
      log::Info("rpc refused", fields);
    }
  }

  RpcMetrics& metrics_;
  std::string service_;
  std::string method_;
  const char* type_;
  absl::Time start_;
  std::string request_id_;
  std::string trace_id_;
  bool finished_ = false;
};

class RpcInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit RpcInterceptorFactory(metrics::Registry& registry) : metrics_(registry) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(ServerRpcInfo* info) override {
    return new RpcInterceptor(info, metrics_);  // gRPC takes ownership
  }

 private:
  RpcMetrics metrics_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeRpcInterceptorFactory(
    metrics::Registry& registry) {
  return std::make_unique<RpcInterceptorFactory>(registry);
}

const char* StatusCodeName(int code) {
  static constexpr const char* kNames[] = {
      "OK",
      "CANCELLED",
      "UNKNOWN",
      "INVALID_ARGUMENT",
      "DEADLINE_EXCEEDED",
      "NOT_FOUND",
      "ALREADY_EXISTS",
      "PERMISSION_DENIED",
      "RESOURCE_EXHAUSTED",
      "FAILED_PRECONDITION",
      "ABORTED",
      "OUT_OF_RANGE",
      "UNIMPLEMENTED",
      "INTERNAL",
      "UNAVAILABLE",
      "DATA_LOSS",
      "UNAUTHENTICATED",
  };
  if (code < 0 || code >= static_cast<int>(std::size(kNames))) {
    return "UNKNOWN";
  }
  return kNames[code];
}

}  // namespace backoffice::server
