// Reading a User from a row of the user_view view.
#pragma once

#include <array>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/pg/result.h"
#include "services/users/store/user.h"

namespace backoffice::users {

/// Where user_view's columns are in one result, looked up by name once for all its rows (a
/// lookup by name scans the result's column names; twenty per row were a tenth of a 25-row
/// ListUsers call's CPU in the service).
///
///   absl::StatusOr<UserColumns> columns = UserColumns::Of(rows[0]);
///   for (const pg::Row& row : rows) users.push_back(*UserFromRow(row, *columns, retention));
class UserColumns {
 public:
  /// The positions in the result `row` belongs to (any query selecting user_view's columns by
  /// name). INTERNAL naming the column if one is missing.
  static absl::StatusOr<UserColumns> Of(const pg::Row& row);

  /// user_view's columns that make a User, in the order of positions().
  static constexpr int kCount = 20;
  static const std::array<const char*, kCount>& names();
  /// The position of each of names() in the result.
  const std::array<int, kCount>& positions() const { return positions_; }

 private:
  std::array<int, kCount> positions_{};
};

/// The User in `row`, whose columns are at `columns` (UserColumns::Of a row of the same result).
/// purge_time is delete_time + `delete_retention` for deleted users. INTERNAL if a column is
/// unreadable (the schema and this code disagree).
absl::StatusOr<User> UserFromRow(const pg::Row& row, const UserColumns& columns,
                                 absl::Duration delete_retention);

/// The same for a single row, looking its columns up by name.
absl::StatusOr<User> UserFromRow(const pg::Row& row, absl::Duration delete_retention);

}  // namespace backoffice::users
