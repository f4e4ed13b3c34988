// Reading a User from a row of the user_view view.
#pragma once

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/pg/result.h"
#include "services/users/store/user.h"

namespace backoffice::users {

/// The User in `row` (any query selecting user_view's columns by name). purge_time is
/// delete_time + `delete_retention` for deleted users. INTERNAL if a column is missing or
/// unreadable (the schema and this code disagree).
absl::StatusOr<User> UserFromRow(const pg::Row& row, absl::Duration delete_retention);

}  // namespace backoffice::users
