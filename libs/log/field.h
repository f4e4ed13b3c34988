#ifndef BACKOFFICE_LIBS_LOG_FIELD_H_
#define BACKOFFICE_LIBS_LOG_FIELD_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include "absl/strings/string_view.h"

namespace backoffice::log {

// The value of one structured field: a string, an integer, a floating point number or a bool.
// Constructors are implicit so fields read naturally at the call site:
//
//   log::Info("listening", {{"port", 8080}, {"tls", true}, {"path", config_path}});
//
// A string value is a view: it must outlive the logging call (temporaries in the call's argument
// list do), so keep Fields inside the call expression rather than in variables.
class FieldValue final {
 public:
  using Value = std::variant<std::string_view, int64_t, double, bool>;

  FieldValue(std::string_view value) : value_(value) {}
  FieldValue(const char* value) : value_(std::string_view(value)) {}
  FieldValue(const std::string& value) : value_(std::string_view(value)) {}
  FieldValue(absl::string_view value) : value_(std::string_view(value.data(), value.size())) {}

  template <typename T>
  requires std::is_same_v<T, bool> FieldValue(T value) : value_(value) {}

  // Unsigned values above INT64_MAX wrap; log them as strings if that matters.
  template <typename T>
  requires(std::is_integral_v<T> && !std::is_same_v<T, bool>) FieldValue(T value)
      : value_(static_cast<int64_t>(value)) {}

  template <typename T>
  requires std::is_floating_point_v<T> FieldValue(T value) : value_(static_cast<double>(value)) {}

  const Value& value() const { return value_; }

 private:
  Value value_;
};

// One key/value pair of a log line.
using Field = std::pair<std::string_view, FieldValue>;

}  // namespace backoffice::log

#endif  // BACKOFFICE_LIBS_LOG_FIELD_H_
