#include "libs/log/context.h"

#include <utility>

namespace backoffice::log {
namespace {

struct ThreadContext {
  std::string request_id;
  std::string trace_id;
};

ThreadContext& Current() {
  thread_local ThreadContext context;
  return context;
}

}  // namespace

ScopedContext::ScopedContext(std::string_view request_id, std::string_view trace_id) {
  ThreadContext& current = Current();
  previous_request_id_ = std::exchange(current.request_id, std::string(request_id));
  previous_trace_id_ = std::exchange(current.trace_id, std::string(trace_id));
}

ScopedContext::~ScopedContext() {
  ThreadContext& current = Current();
  current.request_id = std::move(previous_request_id_);
  current.trace_id = std::move(previous_trace_id_);
}

std::string_view CurrentRequestId() { return Current().request_id; }

std::string_view CurrentTraceId() { return Current().trace_id; }

}  // namespace backoffice::log
