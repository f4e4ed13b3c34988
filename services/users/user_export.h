// CSV export of users (ExportUsers, proto/users/v1/bulk.proto): the column list and how one
// account becomes one CSV record. The handler pages through the store and streams the chunks.
//
//   absl::StatusOr<std::vector<ExportColumn>> columns = ExportColumnsFromProto(request.columns());
//   std::string csv;
//   AppendExportHeader(*columns, csv);
//   AppendExportRecord(user, *columns, csv);
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "services/users/store/user.h"

namespace backoffice::users {

/// Most rows one export writes (users.proto ExportUsers).
inline constexpr int64_t kMaxExportRows = 1'000'000;
/// Most bytes of one ExportUsersResponse.csv_chunk.
inline constexpr size_t kMaxExportChunkBytes = 64 << 10;

/// One exportable column.
enum class ExportColumn {
  kId,
  kEmail,
  kDisplayName,
  kStatus,
  kEmailVerified,
  kPhoneNumber,
  kLocale,
  kTimeZone,
  kAttributes,
  kCreateTime,
  kUpdateTime,
  kLastLoginTime,
};

/// The requested columns in order; empty means all, in the order above. INVALID_ARGUMENT
/// "columns[i]: ..." for an unknown or repeated name.
absl::StatusOr<std::vector<ExportColumn>> ExportColumnsFromProto(
    const google::protobuf::RepeatedPtrField<std::string>& names);

/// Appends the header record (the column names).
void AppendExportHeader(absl::Span<const ExportColumn> columns, std::string& out);

/// Appends one account: status as `active`/`disabled`/`deleted`, email_verified as
/// `true`/`false`, attributes as compact JSON, times as RFC 3339 UTC (empty when unset); quoted
/// and formula-neutralized by AppendCsvRecord.
void AppendExportRecord(const User& user, absl::Span<const ExportColumn> columns, std::string& out);

}  // namespace backoffice::users
