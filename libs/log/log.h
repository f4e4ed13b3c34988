#ifndef BACKOFFICE_LIBS_LOG_LOG_H_
#define BACKOFFICE_LIBS_LOG_LOG_H_

// Structured logging: one JSON object per line on stderr.
//
//   log::Info("listening", {{"port", 8080}, {"tls", true}});
//   //
//   {"time":"2026-11-22T03:44:01.123456Z","level":"info","msg":"listening","port":8080,"tls":true}
//
// Each line has "time" (UTC, microseconds), "level", "msg", then "request_id" and "trace_id" when
// a ScopedContext set them, then the fields in call order. Secrets never reach the output: fields
// whose key looks secret (IsSecretKey) are "[REDACTED]", and RedactText masks emails, bearer
// tokens and JWTs in the message and in string values. A field whose key is one of the five
// names above is written as "field.<key>" so it cannot shadow them. Lines are built in one buffer
// and written with a single write(2), so lines from concurrent threads never interleave.

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>

#include "absl/strings/string_view.h"
#include "libs/log/context.h"
#include "libs/log/field.h"
#include "libs/log/level.h"
#include "libs/log/redact.h"

namespace backoffice::log {

// Writes one line at `level` if the level is enabled (see SetMinLevel).
void Log(Level level, std::string_view msg, std::initializer_list<Field> fields = {});

// Writes one line at debug level.
void Debug(std::string_view msg, std::initializer_list<Field> fields = {});

// Writes one line at info level.
void Info(std::string_view msg, std::initializer_list<Field> fields = {});

// Writes one line at warn level.
void Warn(std::string_view msg, std::initializer_list<Field> fields = {});

// Writes one line at error level.
void Error(std::string_view msg, std::initializer_list<Field> fields = {});

// Overloads so that absl::string_view (as absl::Status::message() returns: Debian's Abseil does not
// alias std::string_view), string literals and std::string all pick one function unambiguously.
inline void Debug(absl::string_view msg, std::initializer_list<Field> fields = {}) {
  Debug(std::string_view(msg.data(), msg.size()), fields);
}
inline void Debug(const char* msg, std::initializer_list<Field> fields = {}) {
  Debug(std::string_view(msg), fields);
}
inline void Debug(const std::string& msg, std::initializer_list<Field> fields = {}) {
  Debug(std::string_view(msg), fields);
}
inline void Info(absl::string_view msg, std::initializer_list<Field> fields = {}) {
  Info(std::string_view(msg.data(), msg.size()), fields);
}
inline void Info(const char* msg, std::initializer_list<Field> fields = {}) {
  Info(std::string_view(msg), fields);
}
inline void Info(const std::string& msg, std::initializer_list<Field> fields = {}) {
  Info(std::string_view(msg), fields);
}
inline void Warn(absl::string_view msg, std::initializer_list<Field> fields = {}) {
  Warn(std::string_view(msg.data(), msg.size()), fields);
}
inline void Warn(const char* msg, std::initializer_list<Field> fields = {}) {
  Warn(std::string_view(msg), fields);
}
inline void Warn(const std::string& msg, std::initializer_list<Field> fields = {}) {
  Warn(std::string_view(msg), fields);
}
inline void Error(absl::string_view msg, std::initializer_list<Field> fields = {}) {
  Error(std::string_view(msg.data(), msg.size()), fields);
}
inline void Error(const char* msg, std::initializer_list<Field> fields = {}) {
  Error(std::string_view(msg), fields);
}
inline void Error(const std::string& msg, std::initializer_list<Field> fields = {}) {
  Error(std::string_view(msg), fields);
}

// Builds the line Log would write (without the trailing newline), whatever the minimum level.
std::string FormatLine(Level level, std::string_view msg, std::initializer_list<Field> fields);

// Sends every line (without its newline) to `sink` instead of stderr; calls to the sink are
// serialized. Passing nullptr restores stderr.
void SetSinkForTesting(std::function<void(std::string_view line)> sink);

}  // namespace backoffice::log

#endif  // BACKOFFICE_LIBS_LOG_LOG_H_
