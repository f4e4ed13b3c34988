// Connection::CopyIn: COPY ... FROM STDIN through libpq's copy protocol.
#include <postgresql/libpq-fe.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/pg/absl_compat.h"
#include "libs/pg/connection.h"
#include "libs/pg/error.h"

namespace backoffice::pg {
namespace {

using internal::ToAbsl;

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

// libpq copies each PQputCopyData call into its output buffer: chunks bound that buffer.
constexpr size_t kChunk = size_t{1} << 20;

// True if `sql`, after whitespace and comments (`-- ...` lines, `/* ... */`), starts with COPY.
bool IsCopyStatement(std::string_view sql) {
  absl::string_view text = absl::StripLeadingAsciiWhitespace(ToAbsl(sql));
  while (absl::StartsWith(text, "--") || absl::StartsWith(text, "/*")) {
    const bool line = absl::StartsWith(text, "--");
    const size_t end = text.find(line ? "\n" : "*/");
    if (end == absl::string_view::npos) return false;
    text = absl::StripLeadingAsciiWhitespace(text.substr(end + (line ? 1 : 2)));
  }
  return text.size() > 4 && absl::StartsWithIgnoreCase(text, "copy") &&
         absl::ascii_isspace(static_cast<unsigned char>(text[4]));
}

// Where in the input the server stopped: the first line of the error's CONTEXT, without the
// quoted value it ends in ("COPY t, line 2, column v: \"x\"" -> "COPY t, line 2, column v").
std::string CopyPosition(const PGresult* result) {
  const char* context = PQresultErrorField(result, PG_DIAG_CONTEXT);
  if (context == nullptr) return "";
  std::string_view text(context);
  text = text.substr(0, text.find('\n'));
  if (!text.starts_with("COPY ")) return "";
  return std::string(text.substr(0, text.find(": ")));
}

// Reads the results after the copy data ended; the connection is idle (or in its transaction)
// again once PQgetResult returns null.
absl::StatusOr<int64_t> FinishCopy(PGconn* conn) {
  absl::StatusOr<int64_t> outcome = absl::InternalError("copy failed: no result from the server");
  bool first = true;
  while (PGresult* raw = PQgetResult(conn)) {
    ResultPtr result(raw);
    if (!first) continue;
    first = false;
    if (PQresultStatus(result.get()) == PGRES_COMMAND_OK) {
      int64_t rows = 0;
      if (!absl::SimpleAtoi(PQcmdTuples(result.get()), &rows)) rows = 0;
      outcome = rows;
      continue;
    }
    absl::Status status = StatusFromPgError(result.get(), conn, "copy failed");
    if (std::string position = CopyPosition(result.get()); !position.empty()) {
      status = WithMessage(status, absl::StrCat(status.message(), " (", position, ")"));
    }
    outcome = status;
  }
  if (first && PQstatus(conn) != CONNECTION_OK) {
    return StatusFromPgError(nullptr, conn, "copy failed");
  }
  return outcome;
}

}  // namespace

absl::StatusOr<int64_t> Connection::CopyIn(std::string_view copy_sql, std::string_view data) {
  if (conn_ == nullptr) {
    return absl::UnavailableError("connection is closed");
  }
  if (!IsCopyStatement(copy_sql)) {
    return absl::InvalidArgumentError("CopyIn takes a COPY ... FROM STDIN statement");
  }
  const std::string text(copy_sql);
  ResultPtr started(PQexec(conn_.get(), text.c_str()));
  const ExecStatusType status =
      started != nullptr ? PQresultStatus(started.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_COPY_OUT) {
    // COPY ... TO STDOUT: read and drop its output so the session is usable again.
    char* buffer = nullptr;
    while (PQgetCopyData(conn_.get(), &buffer, /*async=*/0) > 0) PQfreemem(buffer);
    FinishCopy(conn_.get()).IgnoreError();
    return absl::InvalidArgumentError("CopyIn takes COPY ... FROM STDIN, not TO STDOUT");
  }
  if (status != PGRES_COPY_IN) {
    absl::Status error = StatusFromPgError(started.get(), conn_.get(), "copy failed");
    started.reset();
    while (PGresult* rest = PQgetResult(conn_.get())) PQclear(rest);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
      return absl::InvalidArgumentError("CopyIn takes a COPY ... FROM STDIN statement");
    }
    return error;
  }
  started.reset();
  for (size_t offset = 0; offset < data.size(); offset += kChunk) {
    const size_t size = std::min(kChunk, data.size() - offset);
    if (PQputCopyData(conn_.get(), data.data() + offset, static_cast<int>(size)) != 1) {
      absl::Status error = StatusFromPgError(nullptr, conn_.get(), "copy failed");
      if (PQstatus(conn_.get()) == CONNECTION_OK) {
        PQputCopyEnd(conn_.get(), "client failed to send the data");
        FinishCopy(conn_.get()).IgnoreError();
      }
      return error;
    }
  }
  if (PQputCopyEnd(conn_.get(), nullptr) != 1) {
    return StatusFromPgError(nullptr, conn_.get(), "copy failed");
  }
  return FinishCopy(conn_.get());
}

}  // namespace backoffice::pg
