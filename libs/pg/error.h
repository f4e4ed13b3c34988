// PostgreSQL errors as absl::Status, with the SQLSTATE kept as a payload.
//
//   absl::StatusOr<Result> r = conn.Execute("INSERT INTO users(email) VALUES ($1)", {email});
//   if (!r.ok() && SqlState(r.status()) == kUniqueViolation) { ... }  // code ALREADY_EXISTS
//
// Mapping: 23505 -> ALREADY_EXISTS; other class 23 (foreign key, check, not null, exclusion) ->
// FAILED_PRECONDITION; class 22 (bad value) -> INVALID_ARGUMENT; 40001 serialization failure, 40P01
// deadlock, 55P03 lock not available -> ABORTED; 57014 query canceled -> DEADLINE_EXCEEDED; class
// 08, 57P01-57P03 and a lost connection -> UNAVAILABLE; 53xxx -> RESOURCE_EXHAUSTED; others
// INTERNAL. Messages carry PostgreSQL's primary message only: never DETAIL (it quotes row values)
// and never parameter values.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"

struct pg_conn;
struct pg_result;

namespace backoffice::pg {

inline constexpr std::string_view kUniqueViolation = "23505";
inline constexpr std::string_view kForeignKeyViolation = "23503";
inline constexpr std::string_view kCheckViolation = "23514";
inline constexpr std::string_view kNotNullViolation = "23502";
inline constexpr std::string_view kSerializationFailure = "40001";
inline constexpr std::string_view kDeadlockDetected = "40P01";

/// The SQLSTATE of a status made by this library ("23505"), or "" if it has none (not a server
/// error). The view has static lifetime.
std::string_view SqlState(const absl::Status& status);

/// The violated constraint's name for class 23 errors ("users_email_key"), or "".
std::string ConstraintName(const absl::Status& status);

/// True for errors that a retry of the whole transaction may fix (serialization failure, deadlock).
bool IsRetryableTransactionError(const absl::Status& status);

/// The status code this library uses for a SQLSTATE.
absl::StatusCode CodeForSqlState(std::string_view sql_state);

/// A status for a failed libpq call: from the result's error fields if there is a result, else from
/// the connection's error message (a lost connection is UNAVAILABLE). `context` prefixes the
/// message ("query failed", "prepare failed").
absl::Status StatusFromPgError(const pg_result* result, const pg_conn* conn,
                               std::string_view context);

/// Adds the SQLSTATE (and constraint) payloads of `from` to a new status with `message`, so that
/// wrappers keep SqlState() working.
absl::Status WithMessage(const absl::Status& from, std::string_view message);

}  // namespace backoffice::pg
