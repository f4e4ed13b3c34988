#include "libs/log/log.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/log/json_escape.h"

namespace backoffice::log {
namespace {

// The sink for tests; lines go straight to stderr while has_custom_sink is false.
absl::Mutex sink_mutex(absl::kConstInit);
std::function<void(std::string_view)>* custom_sink ABSL_GUARDED_BY(sink_mutex) = nullptr;
std::atomic<bool> has_custom_sink{false};

bool IsReservedKey(std::string_view key) {
  return key == "time" || key == "level" || key == "msg" || key == "request_id" ||
         key == "trace_id";
}

void AppendKey(std::string& line, std::string_view key) {
  line += ',';
  AppendJsonString(line, key);
  line += ':';
}

void AppendFieldValue(std::string& line, std::string_view key, const FieldValue& value) {
  if (IsSecretKey(key)) {
    AppendJsonString(line, kRedacted);
    return;
  }
  struct Visitor {
    std::string& line;
    void operator()(std::string_view text) { AppendJsonString(line, RedactText(text)); }
    void operator()(int64_t number) { absl::StrAppend(&line, number); }
    void operator()(double number) { AppendJsonDouble(line, number); }
    void operator()(bool flag) { line += flag ? "true" : "false"; }
  };
  std::visit(Visitor{line}, value.value());
}

// One write(2) for the whole line; loops only if the kernel takes part of it (a full pipe).
void WriteToStderr(const std::string& line) {
  size_t written = 0;
  while (written < line.size()) {
    const ssize_t n = ::write(STDERR_FILENO, line.data() + written, line.size() - written);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return;  // Nowhere left to report a failing stderr.
    }
    written += static_cast<size_t>(n);
  }
}

}  // namespace

std::string FormatLine(Level level, std::string_view msg, std::initializer_list<Field> fields) {
  std::string line;
  line.reserve(128 + msg.size());
  line += "{\"time\":\"";
  line += absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::Now(), absl::UTCTimeZone());
  line += "\",\"level\":\"";
  line += LevelName(level);
  line += "\",\"msg\":";
  AppendJsonString(line, RedactText(msg));
  if (std::string_view request_id = CurrentRequestId(); !request_id.empty()) {
    AppendKey(line, "request_id");
    AppendJsonString(line, request_id);
  }
  if (std::string_view trace_id = CurrentTraceId(); !trace_id.empty()) {
    AppendKey(line, "trace_id");
    AppendJsonString(line, trace_id);
  }
  for (const auto& [key, value] : fields) {
    if (IsReservedKey(key)) {
      AppendKey(line, absl::StrCat("field.", absl::string_view(key.data(), key.size())));
    } else {
      AppendKey(line, key);
    }
    AppendFieldValue(line, key, value);
  }
  line += '}';
  return line;
}

void Log(Level level, std::string_view msg, std::initializer_list<Field> fields) {
  if (!IsEnabled(level)) {
    return;
  }
  std::string line = FormatLine(level, msg, fields);
  if (has_custom_sink.load(std::memory_order_acquire)) {
    absl::MutexLock lock(&sink_mutex);
    if (custom_sink != nullptr) {
      (*custom_sink)(line);
      return;
    }
  }
  line += '\n';
  WriteToStderr(line);
}

void Debug(std::string_view msg, std::initializer_list<Field> fields) {
  Log(Level::kDebug, msg, fields);
}

void Info(std::string_view msg, std::initializer_list<Field> fields) {
  Log(Level::kInfo, msg, fields);
}

void Warn(std::string_view msg, std::initializer_list<Field> fields) {
  Log(Level::kWarn, msg, fields);
}

void Error(std::string_view msg, std::initializer_list<Field> fields) {
  Log(Level::kError, msg, fields);
}

void SetSinkForTesting(std::function<void(std::string_view line)> sink) {
  absl::MutexLock lock(&sink_mutex);
  delete custom_sink;
  custom_sink = sink ? new std::function<void(std::string_view)>(std::move(sink)) : nullptr;
  has_custom_sink.store(custom_sink != nullptr, std::memory_order_release);
}

}  // namespace backoffice::log
