#include "libs/pg/result.h"

#include <postgresql/libpq-fe.h>

#include <charconv>
#include <limits>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/pg/absl_compat.h"

namespace backoffice::pg {
using internal::ToAbsl;

namespace {

// "+05", "-03:30", "+00:53:28" -> seconds east of UTC.
bool ParseUtcOffset(std::string_view text, int64_t& seconds) {
  if (text.size() < 3 || (text[0] != '+' && text[0] != '-')) {
    return false;
  }
  const int sign = text[0] == '-' ? -1 : 1;
  text.remove_prefix(1);
  int64_t total = 0;
  int64_t unit = 3600;
  while (!text.empty()) {
    if (text.size() < 2 || unit == 0) {
      return false;
    }
    int part = 0;
    if (!absl::SimpleAtoi(ToAbsl(text.substr(0, 2)), &part)) {
      return false;
    }
    total += part * unit;
    unit /= 60;
    text.remove_prefix(2);
    if (!text.empty()) {
      if (text[0] != ':') {
        return false;
      }
      text.remove_prefix(1);
    }
  }
  seconds = sign * total;
  return true;
}

// PostgreSQL's ISO output: "2024-05-01 12:00:00.123456+00" (timestamptz) or without the offset
// (timestamp, taken as UTC); "infinity" / "-infinity".
bool ParseTimestamp(std::string_view text, absl::Time& time) {
  if (text == "infinity") {
    time = absl::InfiniteFuture();
    return true;
  }
  if (text == "-infinity") {
    time = absl::InfinitePast();
    return true;
  }
  size_t space = text.find(' ');
  if (space == std::string_view::npos) {
    return false;
  }
  size_t offset_start = text.find_first_of("+-", space);
  std::string_view civil = text.substr(0, offset_start);
  int64_t offset_seconds = 0;
  if (offset_start != std::string_view::npos &&
      !ParseUtcOffset(text.substr(offset_start), offset_seconds)) {
    return false;
  }
  std::string error;
  if (!absl::ParseTime("%Y-%m-%d %H:%M:%E*S", ToAbsl(civil), absl::UTCTimeZone(), &time, &error)) {
    return false;
  }
  time -= absl::Seconds(offset_seconds);
  return true;
}

}  // namespace

void Result::Clear::operator()(pg_result* result) const { PQclear(result); }

Result::Result(pg_result* result) : result_(result) {}

int Result::size() const { return result_ ? PQntuples(result_.get()) : 0; }

int Result::columns() const { return result_ ? PQnfields(result_.get()) : 0; }

std::string_view Result::column_name(int column) const {
  const char* name = result_ ? PQfname(result_.get(), column) : nullptr;
  return name != nullptr ? name : "";
}

int64_t Result::affected_rows() const {
  if (!result_) {
    return 0;
  }
  int64_t rows = 0;
  return absl::SimpleAtoi(PQcmdTuples(result_.get()), &rows) ? rows : 0;
}

std::string_view Result::command_tag() const { return result_ ? PQcmdStatus(result_.get()) : ""; }

absl::StatusOr<Row> Result::First() const {
  if (empty()) {
    return absl::NotFoundError("query returned no rows");
  }
  return (*this)[0];
}

bool Row::IsNull(int column) const { return CheckColumn(column).ok() && IsNullUnchecked(column); }

int Row::size() const { return PQnfields(result_); }

absl::StatusOr<int> Row::ColumnIndex(std::string_view name) const {
  const int columns = PQnfields(result_);
  for (int i = 0; i < columns; ++i) {
    if (std::string_view(PQfname(result_, i)) == name) {
      return i;
    }
  }
  // Only a failed lookup lists the names (it runs on every column read otherwise).
  std::vector<absl::string_view> names;
  for (int i = 0; i < columns; ++i) {
    names.push_back(PQfname(result_, i));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("no column named \"", ToAbsl(name),
                   "\" in the result (columns: ", absl::StrJoin(names, ", "), ")"));
}

absl::Status Row::CheckColumn(int column) const {
  if (row_ < 0 || row_ >= PQntuples(result_)) {
    return absl::OutOfRangeError(
        absl::StrCat("row ", row_, " out of range (result has ", PQntuples(result_), " rows)"));
  }
  if (column < 0 || column >= PQnfields(result_)) {
    return absl::InvalidArgumentError(absl::StrCat("column ", column, " out of range (result has ",
                                                   PQnfields(result_), " columns)"));
  }
  return absl::OkStatus();
}

bool Row::IsNullUnchecked(int column) const { return PQgetisnull(result_, row_, column) != 0; }

absl::Status Row::NullError(int column) const {
  return absl::InvalidArgumentError(absl::StrCat("column ", column, " (\"",
                                                 PQfname(result_, column),
                                                 "\") is NULL; read it as std::optional<T>"));
}

std::string_view Row::Text(int column) const {
  return std::string_view(PQgetvalue(result_, row_, column),
                          static_cast<size_t>(PQgetlength(result_, row_, column)));
}

absl::Status Row::ParseError(int column, std::string_view type) const {
  return absl::InvalidArgumentError(absl::StrCat(
      "column ", column, " (\"", PQfname(result_, column), "\") does not hold a valid ",
      ToAbsl(type), " (type oid ", PQftype(result_, column), ")"));
}

template <>
absl::StatusOr<std::string> Row::Parse<std::string>(int column) const {
  return std::string(Text(column));
}

template <>
absl::StatusOr<std::string_view> Row::Parse<std::string_view>(int column) const {
  return Text(column);
}

template <>
absl::StatusOr<int32_t> Row::Parse<int32_t>(int column) const {
  int32_t value = 0;
  if (!absl::SimpleAtoi(ToAbsl(Text(column)), &value)) {
    return ParseError(column, "int32");
  }
  return value;
}

template <>
absl::StatusOr<int64_t> Row::Parse<int64_t>(int column) const {
  int64_t value = 0;
  if (!absl::SimpleAtoi(ToAbsl(Text(column)), &value)) {
    return ParseError(column, "int64");
  }
  return value;
}

template <>
absl::StatusOr<double> Row::Parse<double>(int column) const {
  std::string_view text = Text(column);
  if (text == "NaN") {
    return std::numeric_limits<double>::quiet_NaN();
  }
  if (text == "Infinity") {
    return std::numeric_limits<double>::infinity();
  }
  if (text == "-Infinity") {
    return -std::numeric_limits<double>::infinity();
  }
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    return ParseError(column, "double");
  }
  return value;
}

template <>
absl::StatusOr<bool> Row::Parse<bool>(int column) const {
  std::string_view text = Text(column);
  if (text == "t" || text == "true") {
    return true;
  }
  if (text == "f" || text == "false") {
    return false;
  }
  return ParseError(column, "bool");
}

template <>
absl::StatusOr<absl::Time> Row::Parse<absl::Time>(int column) const {
  absl::Time time;
  if (!ParseTimestamp(Text(column), time)) {
    return ParseError(column, "timestamp");
  }
  return time;
}

template <>
absl::StatusOr<Bytea> Row::Parse<Bytea>(int column) const {
  if (PQftype(result_, column) != kByteaOid) {
    return ParseError(column, "bytea");
  }
  size_t length = 0;
  unsigned char* bytes = PQunescapeBytea(
      reinterpret_cast<const unsigned char*>(PQgetvalue(result_, row_, column)), &length);
  if (bytes == nullptr) {
    return ParseError(column, "bytea");
  }
  Bytea value{std::string(reinterpret_cast<const char*>(bytes), length)};
  PQfreemem(bytes);
  return value;
}

}  // namespace backoffice::pg
