#pragma once

#include <grpcpp/support/server_interceptor.h>

#include <memory>

namespace backoffice::metrics {
class Registry;
}

namespace backoffice::server {

/// Creates the interceptor every service installs. For each call it:
///  - makes sure the call has a valid `x-request-id` (the caller's, else a fresh one) that
///    handlers read with RequestIdOf(), and echoes it in the response's initial metadata;
///  - counts and times the call in Prometheus metrics following go-grpc-prometheus names:
///    grpc_server_started_total, grpc_server_handled_total{grpc_code},
///    grpc_server_handling_seconds (labels grpc_service, grpc_method, grpc_type);
///  - logs the outcome (debug when OK, info for caller errors, warn for server-side failures).
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeRpcInterceptorFactory(
    metrics::Registry& registry);

/// The canonical name of a gRPC status code, e.g. "INVALID_ARGUMENT".
const char* StatusCodeName(int code);

}  // namespace backoffice::server
