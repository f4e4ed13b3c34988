// ListUsers as SQL: request validation, and statements built only from constant fragments.
//
// Dynamic filters never splice input into SQL. The builder appends fixed fragments, one per
// filter that is present, each referring to its value as the next $n parameter; sort keys come
// from a fixed table of expressions (kSortFields) chosen by whitelisted name. So every statement
// text is one of a finite set (prepared once per connection and planned for its own filter
// combination: a query filter gets the trigram index, a bare list a keyset index), and every
// value travels as a parameter.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/pg/params.h"
#include "services/users/store/list_users.h"
#include "services/users/store/page_token.h"

namespace backoffice::users {

/// A whitelisted sort field: its API name, the SQL expression over user_view that an index
/// serves, its default direction, and whether its values are times (else text).
struct SortField {
  absl::string_view name;
  absl::string_view expression;
  bool default_descending;
  bool is_time;
};

/// The fields ListUsers sorts on.
inline constexpr SortField kSortFields[] = {
    {"create_time", "created_at", true, true},
    {"update_time", "updated_at", true, true},
    {"last_login_time", "COALESCE(last_login_at, '-infinity'::timestamptz)", true, true},
    {"email", "lower(email)", false, false},
    {"display_name", "display_name", false, false},
    {"status", "status", false, false},
};

/// One resolved sort key.
struct SortKey {
  const SortField* field;
  bool descending;
};

/// A validated, normalized ListUsersRequest (filters and sort; paging is handled by the store).
struct ListSpec {
  /// Raw query text (validated), empty for none.
  std::string query;
  /// Status names to include, sorted; empty means no status filter at all.
  std::vector<std::string> statuses;
  std::optional<absl::Time> create_time_start;
  std::optional<absl::Time> create_time_end;
  /// Canonical UUID text, sorted and deduplicated.
  std::vector<std::string> ids;
  /// 1 or 2 keys; id breaks ties in the direction of the last.
  std::vector<SortKey> sort;
};

/// Validates filters and sort. INVALID_ARGUMENT naming the field: `query` (too long, bad UTF-8),
/// `ids` (too many), `ids[i]` (not a UUID), `create_time.end_time` (before start), `order_by`
/// (more than 2 keys), `order_by[i].field` (unknown or repeated field).
absl::StatusOr<ListSpec> MakeListSpec(const ListUsersRequest& request);

/// A short hash of the spec's filters and sort, carried in page tokens.
std::string ListBinding(const ListSpec& spec);

/// Whether each sort key holds times (true) or text (false), for DecodePageToken.
std::vector<bool> SortKinds(const ListSpec& spec);

/// A statement and its parameters.
struct Statement {
  std::string sql;
  pg::Params params;
};

/// SELECT of up to `limit` rows of user_view matching `spec`, after `after` (keyset) and skipping
/// `offset` rows, in the spec's order. Besides user_view's columns each row has `sort_key_0`
/// (and `sort_key_1`): the values a page token needs. With a query filter the rows are chosen
/// from `users` (where the search column is) and only they are read through user_view.
Statement BuildPageQuery(const ListSpec& spec, const std::optional<PagePosition>& after,
                         int32_t limit, int32_t offset);

/// The first page (no keyset position) like BuildPageQuery, whose rows also carry
/// `matching_count` (bigint): how many rows match `spec`'s filters, offset and limit aside,
/// counted in the same pass that finds the page (a count(*) window over all the matches, before
/// the LIMIT and OFFSET cut them). An empty page has no row to carry it.
Statement BuildCountedPageQuery(const ListSpec& spec, int32_t limit, int32_t offset);

/// count(*) of the matching rows; with `cap`, counts at most `cap` rows (LIMIT in a subquery).
Statement BuildCountQuery(const ListSpec& spec, std::optional<int64_t> cap);

/// EXPLAIN (FORMAT JSON) of the filter: the planner's row estimate is the top plan's "Plan Rows".
Statement BuildEstimateQuery(const ListSpec& spec);

/// The LIKE pattern for a query: `%`, `_` and `\` escaped; `%text%`, or `text%` if `prefix`.
std::string LikePattern(std::string_view query, bool prefix);

}  // namespace backoffice::users
