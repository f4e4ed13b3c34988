#include "libs/pg/error.h"

#include <postgresql/libpq-fe.h>

#include "absl/container/node_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "libs/pg/absl_compat.h"

namespace backoffice::pg {
namespace {

using internal::ToAbsl;
using internal::ToStd;

constexpr std::string_view kSqlStateUrl = "type.backoffice/pg.sqlstate";
constexpr std::string_view kConstraintUrl = "type.backoffice/pg.constraint";

bool IsSqlStateShape(std::string_view code) {
  if (code.size() != 5) {
    return false;
  }
  for (char c : code) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c)) &&
        !absl::ascii_isupper(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

// SQLSTATEs form a small closed set, so interning them is bounded and lets SqlState() return a view
// that outlives the status it came from.
std::string_view Intern(std::string_view code) {
  static auto* mutex = new absl::Mutex();
  static auto* codes = new absl::node_hash_set<std::string>();
  absl::MutexLock lock(mutex);
  return *codes->insert(std::string(code)).first;
}

std::string FirstLine(std::string_view text) {
  text = ToStd(absl::StripAsciiWhitespace(ToAbsl(text)));
  return std::string(ToStd(absl::StripAsciiWhitespace(ToAbsl(text.substr(0, text.find('\n'))))));
}

// Class 22 messages end in the offending value (`invalid input syntax for type integer: "x"`),
// which may be a parameter: keep only the part before it.
std::string RedactValue(std::string_view sql_state, std::string message) {
  if (sql_state.starts_with("22")) {
    size_t quoted = message.find(": \"");
    if (quoted != std::string::npos) {
      message.resize(quoted);
    }
  }
  return message;
}

}  // namespace

std::string_view SqlState(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(ToAbsl(kSqlStateUrl));
  if (!payload.has_value()) {
    return "";
  }
  std::string code(*payload);
  if (!IsSqlStateShape(code)) {
    return "";
  }
  return Intern(code);
}

std::string ConstraintName(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(ToAbsl(kConstraintUrl));
  return payload.has_value() ? std::string(*payload) : std::string();
}

bool IsRetryableTransactionError(const absl::Status& status) {
  std::string_view code = SqlState(status);
  return code == kSerializationFailure || code == kDeadlockDetected;
}

absl::StatusCode CodeForSqlState(std::string_view sql_state) {
  if (sql_state == kUniqueViolation) {
    return absl::StatusCode::kAlreadyExists;
  }
  if (sql_state == kSerializationFailure || sql_state == kDeadlockDetected ||
      sql_state == "55P03") {
    return absl::StatusCode::kAborted;
  }
  if (sql_state == "57014") {
    return absl::StatusCode::kDeadlineExceeded;
  }
  if (sql_state == "57P01" || sql_state == "57P02" || sql_state == "57P03" ||
      sql_state.starts_with("08")) {
    return absl::StatusCode::kUnavailable;
  }
  if (sql_state.starts_with("23")) {
    return absl::StatusCode::kFailedPrecondition;
  }
  if (sql_state.starts_with("22")) {
    return absl::StatusCode::kInvalidArgument;
  }
  if (sql_state.starts_with("53")) {
    return absl::StatusCode::kResourceExhausted;
  }
  return absl::StatusCode::kInternal;
}

absl::Status StatusFromPgError(const pg_result* result, const pg_conn* conn,
                               std::string_view context) {
  const char* sql_state =
      result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const bool connection_lost = conn != nullptr && PQstatus(conn) != CONNECTION_OK;
  if (sql_state == nullptr || !IsSqlStateShape(sql_state)) {
    // No server error: libpq failed on its side, usually a lost connection.
    std::string message = result != nullptr ? PQresultErrorMessage(result) : "";
    if (FirstLine(message).empty() && conn != nullptr) {
      message = PQerrorMessage(conn);
    }
    if (FirstLine(message).empty()) {
      message = "unknown libpq error";
    }
    const absl::StatusCode code = connection_lost || conn == nullptr
                                      ? absl::StatusCode::kUnavailable
                                      : absl::StatusCode::kInternal;
    return absl::Status(code, absl::StrCat(ToAbsl(context), ": ", FirstLine(message)));
  }
  const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  std::string message =
      RedactValue(sql_state, FirstLine(primary != nullptr ? primary : "server error"));
  absl::StatusCode code = CodeForSqlState(sql_state);
  if (connection_lost) {
    code = absl::StatusCode::kUnavailable;
  }
  absl::Status status(code,
                      absl::StrCat(ToAbsl(context), ": ", message, " (SQLSTATE ", sql_state, ")"));
  status.SetPayload(ToAbsl(kSqlStateUrl), absl::Cord(sql_state));
  if (const char* constraint = PQresultErrorField(result, PG_DIAG_CONSTRAINT_NAME);
      constraint != nullptr) {
    status.SetPayload(ToAbsl(kConstraintUrl), absl::Cord(constraint));
  }
  return status;
}

absl::Status WithMessage(const absl::Status& from, std::string_view message) {
  absl::Status status(from.code(), ToAbsl(message));
  from.ForEachPayload([&status](absl::string_view url, const absl::Cord& payload) {
    status.SetPayload(url, payload);
  });
  return status;
}

}  // namespace backoffice::pg
