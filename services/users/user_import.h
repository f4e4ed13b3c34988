// CSV import of users (ImportUsers, proto/users/v1/bulk.proto) as a plain function over the store:
// the handler collects the stream's bytes and options, this reads the header, checks and writes
// each data row on its own, and fills the per-row results.
//
//   v1::ImportUsersResponse response;
//   absl::Status status = ImportUsersCsv(store, options, csv_bytes, actor, &response);
//
// Idempotency: with `options.request_id`, each row creates its account under its own request id
// derived from the import's (a hash of it plus the row number), so a repeated import returns the
// same accounts as CREATED without writing again (the store's CreateUser idempotency). Without a
// request id, a repeat in CREATE_ONLY mode finds every email taken and reports SKIPPED.
#pragma once

#include <functional>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "proto/users/v1/bulk.pb.h"
#include "services/users/store/user.h"
#include "services/users/store/user_store.h"

namespace backoffice::users {

/// Import limits (bulk.proto / users.proto ImportUsers).
inline constexpr size_t kMaxImportBytes = 10 << 20;
inline constexpr int kMaxImportRows = 10'000;
inline constexpr size_t kMaxImportChunkBytes = 1 << 20;

/// Imports `csv` (the whole file). Call-level errors, with nothing written: INVALID_ARGUMENT
/// "csv_chunk: ..." for an empty file or a bad header (unknown or duplicate column, no `email`),
/// RESOURCE_EXHAUSTED over kMaxImportBytes or kMaxImportRows data rows, INVALID_ARGUMENT
/// "options.request_id: ..." over 128 bytes. Row problems are FAILED rows ("<column>: <problem>"),
/// not errors. A database failure (UNAVAILABLE, ...) ends the import with that status; rows
/// written before it stay.
///
/// A row that disables an existing account obeys the store's last-admin rule with what
/// `admin_check` answers (asked once, at the first such row; empty: the rule is off): refused,
/// it is a FAILED row (`id: this is the last active admin; ...`); when `admin_check` fails
/// (UNAVAILABLE: the roles service cannot say who holds admin) the import ends with that status.
absl::Status ImportUsersCsv(
    UserStore& store, const v1::ImportUsersOptions& options, std::string_view csv,
    const Actor& actor, v1::ImportUsersResponse* response,
    const std::function<absl::StatusOr<LastAdminCheck>()>& admin_check = {});

}  // namespace backoffice::users
