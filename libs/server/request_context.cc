#include "libs/server/request_context.h"

#include <grpcpp/server_context.h>

#include <cstdint>

#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"

namespace backoffice::server {
namespace {

std::string_view Lookup(const grpc::ServerContextBase& context, std::string_view key) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(grpc::string_ref(key.data(), key.size()));
  if (it == metadata.end()) {
    return {};
  }
  return std::string_view(it->second.data(), it->second.size());
}

bool IsLowerHex(std::string_view text) {
  for (char c : text) {
    if (!absl::ascii_isdigit(c) && !(c >= 'a' && c <= 'f')) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string NewRequestId() {
  thread_local absl::BitGen generator;
  uint64_t high = absl::Uniform<uint64_t>(generator);
  uint64_t low = absl::Uniform<uint64_t>(generator);
  high = (high & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  low = (low & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;    // RFC 4122 variant
  return absl::StrFormat("%08x-%04x-%04x-%04x-%012x", high >> 32, (high >> 16) & 0xffff,
                         high & 0xffff, low >> 48, low & 0xffffffffffffULL);
}

bool IsValidRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) {
    return false;
  }
  for (char c : id) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '_' && c != ':' && c != '-') {
      return false;
    }
  }
  return true;
}

std::string TraceIdFromTraceparent(std::string_view traceparent) {
  // version "-" trace-id "-" parent-id "-" flags: 2 + 1 + 32 + 1 + 16 + 1 + 2 = 55 characters.
  if (traceparent.size() != 55 || traceparent.substr(0, 3) != "00-" || traceparent[35] != '-' ||
      traceparent[52] != '-') {
    return "";
  }
  std::string_view trace_id = traceparent.substr(3, 32);
  if (!IsLowerHex(trace_id) || !IsLowerHex(traceparent.substr(36, 16)) ||
      !IsLowerHex(traceparent.substr(53, 2)) ||
      trace_id == std::string_view("00000000000000000000000000000000")) {
    return "";
  }
  return std::string(trace_id);
}

std::string RequestIdOf(const grpc::ServerContextBase& context) {
  return std::string(Lookup(context, kRequestIdKey));
}

std::string TraceIdOf(const grpc::ServerContextBase& context) {
  return TraceIdFromTraceparent(Lookup(context, kTraceparentKey));
}

}  // namespace backoffice::server
