#include "services/users/user_export.h"

#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "services/users/csv.h"

namespace backoffice::users {
namespace {

struct ColumnName {
  ExportColumn column;
  std::string_view name;
};

constexpr ColumnName kColumns[] = {
    {ExportColumn::kId, "id"},
    {ExportColumn::kEmail, "email"},
    {ExportColumn::kDisplayName, "display_name"},
    {ExportColumn::kStatus, "status"},
    {ExportColumn::kEmailVerified, "email_verified"},
    {ExportColumn::kPhoneNumber, "phone_number"},
    {ExportColumn::kLocale, "locale"},
    {ExportColumn::kTimeZone, "time_zone"},
    {ExportColumn::kAttributes, "attributes"},
    {ExportColumn::kCreateTime, "create_time"},
    {ExportColumn::kUpdateTime, "update_time"},
    {ExportColumn::kLastLoginTime, "last_login_time"},
};

std::string_view NameOf(ExportColumn column) {
  for (const ColumnName& entry : kColumns) {
    if (entry.column == column) {
      return entry.name;
    }
  }
  return "";
}

std::string Rfc3339(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", time, absl::UTCTimeZone());
}

std::string Cell(const User& user, ExportColumn column) {
  switch (column) {
    case ExportColumn::kId:
      return user.id;
    case ExportColumn::kEmail:
      return user.email;
    case ExportColumn::kDisplayName:
      return user.display_name;
    case ExportColumn::kStatus:
      return std::string(UserStatusName(user.status));
    case ExportColumn::kEmailVerified:
      return user.email_verified ? "true" : "false";
    case ExportColumn::kPhoneNumber:
      return user.phone_number;
    case ExportColumn::kLocale:
      return user.locale;
    case ExportColumn::kTimeZone:
      return user.time_zone;
    case ExportColumn::kAttributes:
      return user.attributes.empty() ? "{}" : user.attributes;
    case ExportColumn::kCreateTime:
      return Rfc3339(user.create_time);
    case ExportColumn::kUpdateTime:
      return Rfc3339(user.update_time);
    case ExportColumn::kLastLoginTime:
      return user.last_login_time ? Rfc3339(*user.last_login_time) : "";
  }
  return "";
}

}  // namespace

absl::StatusOr<std::vector<ExportColumn>> ExportColumnsFromProto(
    const google::protobuf::RepeatedPtrField<std::string>& names) {
  std::vector<ExportColumn> columns;
  if (names.empty()) {
    for (const ColumnName& entry : kColumns) {
      columns.push_back(entry.column);
    }
    return columns;
  }
  for (int i = 0; i < names.size(); ++i) {
    const ColumnName* found = nullptr;
    for (const ColumnName& entry : kColumns) {
      if (entry.name == names[i]) {
        found = &entry;
      }
    }
    if (found == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("columns[", i, "]: unknown column"));
    }
    for (ExportColumn column : columns) {
      if (column == found->column) {
        return absl::InvalidArgumentError(absl::StrCat("columns[", i, "]: named twice"));
      }
    }
    columns.push_back(found->column);
  }
  return columns;
}

void AppendExportHeader(absl::Span<const ExportColumn> columns, std::string& out) {
  std::vector<std::string> names;
  for (ExportColumn column : columns) {
    names.emplace_back(NameOf(column));
  }
  AppendCsvRecord(names, out);
}

void AppendExportRecord(const User& user, absl::Span<const ExportColumn> columns,
                        std::string& out) {
  std::vector<std::string> cells;
  cells.reserve(columns.size());
  for (ExportColumn column : columns) {
    cells.push_back(Cell(user, column));
  }
  AppendCsvRecord(cells, out);
}

}  // namespace backoffice::users
