#ifndef BACKOFFICE_LIBS_LOG_CONTEXT_H_
#define BACKOFFICE_LIBS_LOG_CONTEXT_H_

#include <string>
#include <string_view>

namespace backoffice::log {

// Sets the request id and trace id that log lines written on this thread carry, for as long as it
// lives; on destruction the previous values (from an enclosing ScopedContext, or none) return.
// An empty id is not written. Contexts are per thread: a request handed to another thread needs a
// ScopedContext there too.
//
//   void Handle(const Request& request) {
//     log::ScopedContext context(request.id(), request.trace_id());
//     log::Info("user created", {{"user_id", id}});  // ... "request_id":"...","trace_id":"..."
//   }
class ScopedContext final {
 public:
  ScopedContext(std::string_view request_id, std::string_view trace_id);
  ~ScopedContext();

  ScopedContext(const ScopedContext&) = delete;
  ScopedContext& operator=(const ScopedContext&) = delete;

 private:
  std::string previous_request_id_;
  std::string previous_trace_id_;
};

// The request id of this thread's innermost ScopedContext, empty when there is none.
std::string_view CurrentRequestId();

// The trace id of this thread's innermost ScopedContext, empty when there is none.
std::string_view CurrentTraceId();

}  // namespace backoffice::log

#endif  // BACKOFFICE_LIBS_LOG_CONTEXT_H_
