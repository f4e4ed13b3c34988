// Request and response of UserStore::List (ListUsersRequest / ListUsersResponse in domain terms).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "services/users/store/user.h"

namespace backoffice::users {

/// Paging and filter limits (users.proto ListUsersRequest, common/v1/page.proto).
inline constexpr int32_t kDefaultPageSize = 50;
inline constexpr int32_t kMaxPageSize = 500;
inline constexpr int32_t kMaxOffset = 10'000;
inline constexpr int kMaxQueryChars = 200;
inline constexpr int kMaxListIds = 500;
inline constexpr int kMaxSortKeys = 2;
/// Tokens this store issues stay well under this; longer input is refused unread.
inline constexpr int kMaxPageTokenBytes = 2048;
/// Default totals are counted (exactly, up to this many rows) only when the planner expects at
/// most this many matches; beyond, the estimate is the total.
inline constexpr int64_t kExactCountLimit = 10'000;
/// The same for a free-text query, whose matches cost a heap fetch each.
inline constexpr int64_t kExactTextCountLimit = 1'000;

/// Direction of one sort key; kDefault takes the field's default.
enum class SortDirection { kDefault, kAsc, kDesc };

/// One sort key: `field` is one of create_time (default DESC), update_time (DESC),
/// last_login_time (DESC; never logged in sorts as the earliest time, so last in DESC), email
/// (ASC; case-insensitive), display_name (ASC), status (ASC; alphabetical: active, deleted,
/// disabled). `id` breaks ties in the direction of the last key.
struct SortOrder {
  std::string field;
  SortDirection direction = SortDirection::kDefault;
};

/// How to count ListUsersPage::total_size (common/v1 TotalCountMode).
enum class TotalCountMode {
  /// A first page that ends the list counts itself (offset + rows, exact). Otherwise the
  /// planner's estimate when it expects more than kExactCountLimit matching rows
  /// (kExactTextCountLimit with a query), else an exact count capped at the limit + 1 (beyond
  /// it, the estimate, at least the limit + 1). A page requested by page_token reports the total
  /// of the first page, carried in the token, and counts nothing.
  kDefault,
  /// Not counted: total_size = -1.
  kNone,
  /// Always the planner's estimate.
  kEstimate,
  /// Always an exact count (may be slow on large sets).
  kExact,
};

/// What to list. Field paths in errors are the proto's (`page.page_size`, `order_by[1].field`).
struct ListUsersRequest {
  /// 0 means kDefaultPageSize; above kMaxPageSize is clamped; negative is INVALID_ARGUMENT.
  int32_t page_size = 0;
  /// A previous page's next_page_token, issued for the same filters and sort.
  std::string page_token;
  /// Rows to skip (0 to kMaxOffset); not together with page_token.
  int32_t offset = 0;
  TotalCountMode total_count_mode = TotalCountMode::kDefault;

  /// Case-insensitive substring of email or display_name, 0 to 200 characters, matched literally
  /// (`%`, `_` and `\` are not wildcards). Under 3 characters it matches prefixes of email or
  /// display_name only (too short for the trigram index).
  std::string query;
  /// Statuses to include; empty means active and disabled (soft-deleted users hidden).
  std::vector<UserStatus> statuses;
  /// Created at or after this time.
  std::optional<absl::Time> create_time_start;
  /// Created before this time.
  std::optional<absl::Time> create_time_end;
  /// Only these ids (at most kMaxListIds); empty means no id filter.
  std::vector<std::string> ids;
  /// At most kMaxSortKeys keys; empty means create_time DESC.
  std::vector<SortOrder> order_by;
};

/// One page of users.
struct ListUsersPage {
  std::vector<User> users;
  /// Empty on the last page.
  std::string next_page_token;
  /// Matching rows across all pages, or -1 when not counted.
  int64_t total_size = -1;
  bool total_is_estimate = false;
};

}  // namespace backoffice::users
