#pragma once

#include <string>
#include <string_view>

namespace grpc {
class ServerContextBase;
}

namespace backoffice::server {

/// Metadata key carrying the request id across the BFF and every service.
inline constexpr char kRequestIdKey[] = "x-request-id";
/// W3C trace context header (https://www.w3.org/TR/trace-context/).
inline constexpr char kTraceparentKey[] = "traceparent";

/// A fresh random request id (UUID version 4 text form).
std::string NewRequestId();

/// True for ids safe to log and echo: 1 to 128 characters of [A-Za-z0-9._:-]. Anything else is
/// replaced by a fresh id so a client cannot inject text into logs.
bool IsValidRequestId(std::string_view id);

/// The 32-hex-digit trace id of a version-00 `traceparent` value, or "" if it is malformed or
/// all zeros.
std::string TraceIdFromTraceparent(std::string_view traceparent);

/// The request id of a call. The observability interceptor guarantees one is present (the
/// caller's if valid, else a fresh one), so handlers can always record it.
std::string RequestIdOf(const grpc::ServerContextBase& context);

/// The trace id of a call from its `traceparent` metadata, or "".
std::string TraceIdOf(const grpc::ServerContextBase& context);

}  // namespace backoffice::server
