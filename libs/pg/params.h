// Query parameters ($1, $2, ...), always sent to the server separately from the SQL text.
//
//   conn.Execute("SELECT * FROM users WHERE email = $1 AND created_at > $2", {email, since});
//   Params params;
//   params.Add(name).Add(std::optional<int64_t>()).Add(Bytea{digest});
#pragma once

#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace backoffice::pg {

/// Raw bytes for a `bytea` parameter (sent in binary format) or column.
struct Bytea {
  std::string data;
  friend bool operator==(const Bytea&, const Bytea&) = default;
};

/// PostgreSQL type OIDs of the values this library sends.
inline constexpr unsigned kUnknownOid = 0;  // server infers (text, uuid, jsonb, enum, ...)
inline constexpr unsigned kBoolOid = 16;
inline constexpr unsigned kByteaOid = 17;
inline constexpr unsigned kInt8Oid = 20;
inline constexpr unsigned kInt4Oid = 23;
inline constexpr unsigned kFloat8Oid = 701;
inline constexpr unsigned kTimestamptzOid = 1184;

/// One parameter value. Implicit constructors let a braced list make Params. Strings are sent
/// untyped so the server infers the column's type (text, uuid, jsonb, an enum, ...); numbers, bools
/// and times are typed; std::nullopt or an empty std::optional is NULL.
class Param {
 public:
  Param(std::string_view value) : value_(value) {}
  Param(const std::string& value) : value_(value) {}
  Param(const char* value) : value_(value) {}
#if !defined(ABSL_USES_STD_STRING_VIEW)
  // Debian's Abseil has its own string_view type (e.g. absl::Status::message() returns it).
  Param(absl::string_view value) : value_(value.data(), value.size()) {}
#endif
  template <std::integral T>
  requires(!std::same_as<T, bool>) Param(T value)
      : value_(std::to_string(value)),
        oid_(std::is_signed_v<T> && sizeof(T) <= 4 ? kInt4Oid : kInt8Oid) {}
  template <std::same_as<bool> T>
  Param(T value) : value_(value ? "true" : "false"), oid_(kBoolOid) {}
  Param(double value);
  Param(absl::Time value);
  Param(Bytea value) : value_(std::move(value.data)), oid_(kByteaOid), binary_(true) {}
  Param(std::nullopt_t) : null_(true) {}
  template <typename T>
  Param(const std::optional<T>& value) : Param(std::nullopt) {
    static_assert(!std::is_pointer_v<T>, "use std::optional<std::string_view>");
    if (value.has_value()) {
      *this = Param(*value);
    } else {
      oid_ = Param(T{}).oid_;  // a typed NULL, so `$1 IS NULL` and overloads
                               // still resolve
    }
  }

  /// The value's text (or binary, for bytea) representation; empty for NULL.
  const std::string& value() const { return value_; }
  unsigned oid() const { return oid_; }
  bool is_null() const { return null_; }
  bool is_binary() const { return binary_; }

 private:
  std::string value_;
  unsigned oid_ = kUnknownOid;
  bool binary_ = false;
  bool null_ = false;
};

/// An ordered list of parameters: the first is $1.
class Params {
 public:
  Params() = default;
  Params(std::initializer_list<Param> params) : params_(params) {}

  /// Appends the next parameter; returns *this for chaining.
  Params& Add(Param param) {
    params_.push_back(std::move(param));
    return *this;
  }

  int size() const { return static_cast<int>(params_.size()); }
  bool empty() const { return params_.empty(); }
  const Param& operator[](int i) const { return params_[i]; }
  auto begin() const { return params_.begin(); }
  auto end() const { return params_.end(); }

 private:
  std::vector<Param> params_;
};

/// RFC 3339 text of a timestamp as sent for timestamptz ("2024-05-01T12:00:00.5+00:00"); "infinity"
/// / "-infinity" for absl's infinite times.
std::string FormatTimestamptz(absl::Time time);

}  // namespace backoffice::pg
