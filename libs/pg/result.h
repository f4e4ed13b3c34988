// Query results: rows and typed column access.
//
//   absl::StatusOr<Result> result = conn.Execute("SELECT id, email, deleted_at FROM users", {});
//   for (const Row& row : *result) {
//     absl::StatusOr<std::string> email = row.Get<std::string>("email");
//     absl::StatusOr<std::optional<absl::Time>> deleted = row.Get<std::optional<absl::Time>>(2);
//   }
#pragma once

#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/pg/params.h"

struct pg_result;

namespace backoffice::pg {

class Result;

namespace internal {
template <typename T>
struct IsOptional : std::false_type {};
template <typename T>
struct IsOptional<std::optional<T>> : std::true_type {
  using Value = T;
};
template <typename T>
inline constexpr bool kIsColumnType =
    std::is_same_v<T, std::string> || std::is_same_v<T, std::string_view> ||
    std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t> || std::is_same_v<T, double> ||
    std::is_same_v<T, bool> || std::is_same_v<T, absl::Time> || std::is_same_v<T, Bytea>;

template <typename T>
struct ValueType {
  using Type = T;
};
template <typename T>
struct ValueType<std::optional<T>> {
  using Type = T;
};
}  // namespace internal

/// One row of a Result; valid while the Result lives. Get<T> reads a column as T, where T is
/// std::string, std::string_view (points into the Result), int32_t, int64_t, double, bool,
/// absl::Time (timestamptz or timestamp, read as UTC), Bytea, or std::optional of one of those for
/// nullable columns. Errors (INVALID_ARGUMENT): NULL into a non-optional T, an unknown column, or
/// text that does not parse as T. Values are never copied into error messages.
class Row {
 public:
  /// Reads column `column` (0-based).
  template <typename T>
  absl::StatusOr<T> Get(int column) const {
    static_assert(internal::kIsColumnType<typename internal::ValueType<T>::Type>,
                  "Row::Get<T>: T must be std::string, std::string_view, int32_t, "
                  "int64_t, "
                  "double, bool, absl::Time, Bytea or std::optional of one of them");
    if (absl::Status status = CheckColumn(column); !status.ok()) {
      return status;
    }
    if constexpr (internal::IsOptional<T>::value) {
      if (IsNullUnchecked(column)) {
        return T(std::nullopt);
      }
      absl::StatusOr<typename internal::IsOptional<T>::Value> value =
          Parse<typename internal::IsOptional<T>::Value>(column);
      if (!value.ok()) {
        return value.status();
      }
      return T(*std::move(value));
    } else {
      if (IsNullUnchecked(column)) {
        return NullError(column);
      }
      return Parse<T>(column);
    }
  }

  /// Reads the column named exactly `name` (the first one, if several share it).
  template <typename T>
  absl::StatusOr<T> Get(std::string_view name) const {
    absl::StatusOr<int> column = ColumnIndex(name);
    if (!column.ok()) {
      return column.status();
    }
    return Get<T>(*column);
  }

  /// True if the column is NULL (false for an out-of-range column).
  bool IsNull(int column) const;
  /// Number of columns.
  int size() const;
  /// Index of the column named exactly `name`, or INVALID_ARGUMENT naming the known columns.
  absl::StatusOr<int> ColumnIndex(std::string_view name) const;
  /// The row's 0-based index in its Result.
  int index() const { return row_; }

 private:
  friend class Result;
  Row(const pg_result* result, int row) : result_(result), row_(row) {}

  absl::Status CheckColumn(int column) const;
  bool IsNullUnchecked(int column) const;
  absl::Status NullError(int column) const;
  std::string_view Text(int column) const;
  absl::Status ParseError(int column, std::string_view type) const;

  template <typename T>
  absl::StatusOr<T> Parse(int column) const;

  const pg_result* result_;
  int row_;
};

template <>
absl::StatusOr<std::string> Row::Parse<std::string>(int column) const;
template <>
absl::StatusOr<std::string_view> Row::Parse<std::string_view>(int column) const;
template <>
absl::StatusOr<int32_t> Row::Parse<int32_t>(int column) const;
template <>
absl::StatusOr<int64_t> Row::Parse<int64_t>(int column) const;
template <>
absl::StatusOr<double> Row::Parse<double>(int column) const;
template <>
absl::StatusOr<bool> Row::Parse<bool>(int column) const;
template <>
absl::StatusOr<absl::Time> Row::Parse<absl::Time>(int column) const;
template <>
absl::StatusOr<Bytea> Row::Parse<Bytea>(int column) const;

/// The outcome of one statement: its rows (text format) and the affected row count. Move-only; owns
/// the libpq result.
class Result {
 public:
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Row;
    using difference_type = std::ptrdiff_t;
    using pointer = const Row*;
    using reference = Row;

    Row operator*() const { return Row(result_, row_); }
    Iterator& operator++() {
      ++row_;
      return *this;
    }
    Iterator operator++(int) {
      Iterator copy = *this;
      ++row_;
      return copy;
    }
    friend bool operator==(const Iterator&, const Iterator&) = default;

   private:
    friend class Result;
    Iterator(const pg_result* result, int row) : result_(result), row_(row) {}
    const pg_result* result_ = nullptr;
    int row_ = 0;
  };

  /// Takes ownership of a libpq result (which must have succeeded).
  explicit Result(pg_result* result);
  Result(Result&&) noexcept = default;
  Result& operator=(Result&&) noexcept = default;
  ~Result() = default;

  /// Number of rows.
  int size() const;
  bool empty() const { return size() == 0; }
  /// Number of columns.
  int columns() const;
  /// Name of column `column` ("" if out of range).
  std::string_view column_name(int column) const;
  /// Rows inserted, updated, deleted, selected, ... by the statement (0 if it reports none).
  int64_t affected_rows() const;
  /// The command tag, e.g. "INSERT 0 1".
  std::string_view command_tag() const;

  /// Row `row` (0-based); must be < size().
  Row operator[](int row) const { return Row(result_.get(), row); }
  /// The first row, or NOT_FOUND if there is none: for single-row queries.
  absl::StatusOr<Row> First() const;
  Iterator begin() const { return Iterator(result_.get(), 0); }
  Iterator end() const { return Iterator(result_.get(), size()); }

 private:
  struct Clear {
    void operator()(pg_result* result) const;
  };
  std::unique_ptr<pg_result, Clear> result_;
};

}  // namespace backoffice::pg
