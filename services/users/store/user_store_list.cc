// UserStore::List: paging, keyset tokens and totals over the statements of list_query.h.
#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "boost/json/parse.hpp"
#include "boost/json/value.hpp"
#include "libs/pg/result.h"
#include "services/users/store/list_query.h"
#include "services/users/store/page_token.h"
#include "services/users/store/user_row.h"
#include "services/users/store/user_store.h"

namespace backoffice::users {
namespace {

absl::StatusOr<int64_t> RunCount(pg::Connection& conn, const Statement& statement) {
  absl::StatusOr<pg::Result> rows = conn.Execute(statement.sql, statement.params);
  if (!rows.ok()) return rows.status();
  absl::StatusOr<pg::Row> row = rows->First();
  if (!row.ok()) return row.status();
  return row->Get<int64_t>(0);
}

// The planner's row estimate for the filter: "Plan Rows" of EXPLAIN (FORMAT JSON)'s top plan.
absl::StatusOr<int64_t> RunEstimate(pg::Connection& conn, const ListSpec& spec) {
  Statement statement = BuildEstimateQuery(spec);
  absl::StatusOr<pg::Result> rows = conn.Execute(statement.sql, statement.params);
  if (!rows.ok()) return rows.status();
  absl::StatusOr<pg::Row> row = rows->First();
  if (!row.ok()) return row.status();
  absl::StatusOr<std::string> json = row->Get<std::string>(0);
  if (!json.ok()) return json.status();
  boost::system::error_code error;
  boost::json::value plan = boost::json::parse(*json, error);
  const boost::json::value* rows_estimate = nullptr;
  if (!error && plan.is_array() && !plan.as_array().empty() && plan.as_array()[0].is_object()) {
    if (const boost::json::value* top = plan.as_array()[0].as_object().if_contains("Plan");
        top != nullptr && top->is_object()) {
      rows_estimate = top->as_object().if_contains("Plan Rows");
    }
  }
  if (rows_estimate == nullptr || !rows_estimate->is_number()) {
    return absl::InternalError("EXPLAIN output has no Plan Rows");
  }
  return static_cast<int64_t>(rows_estimate->to_number<double>());
}

// The largest default total that is counted exactly.
int64_t ExactCountLimit(const ListSpec& spec) {
  return spec.query.empty() ? kExactCountLimit : kExactTextCountLimit;
}

// The default total from a count of the matches that went no further than `limit` + 1 (or
// further: a count of all matches is read the same way).
PageTotal DefaultTotalFromCount(const ListSpec& spec, int64_t count, int64_t estimate,
                                int64_t at_least) {
  const int64_t limit = ExactCountLimit(spec);
  if (count <= limit) return PageTotal{count, false};
  // The count proved more than the limit match, whatever the statistics say.
  return PageTotal{std::max({estimate, limit + 1, at_least}), true};
}

// The default total. The planner's estimate decides whether to count: when it expects more than
// the limit the estimate is the answer (counting even limit + 1 text matches costs a bitmap of
// every match and a heap fetch each, several times the page itself on a million users), else a
// count capped at limit + 1 rows gives the exact total, or proves it larger. `at_least` is what
// the page itself proved to exist; `estimate` is the planner's estimate when already asked.
absl::StatusOr<PageTotal> DefaultTotal(pg::Connection& conn, const ListSpec& spec, int64_t at_least,
                                       std::optional<int64_t> estimate) {
  const int64_t limit = ExactCountLimit(spec);
  if (!estimate.has_value()) {
    absl::StatusOr<int64_t> planned = RunEstimate(conn, spec);
    if (!planned.ok()) return planned.status();
    estimate = *planned;
  }
  if (*estimate > limit) return PageTotal{std::max(*estimate, at_least), true};
  absl::StatusOr<int64_t> capped = RunCount(conn, BuildCountQuery(spec, limit + 1));
  if (!capped.ok()) return capped.status();
  return DefaultTotalFromCount(spec, *capped, *estimate, at_least);
}

absl::StatusOr<PageTotal> CountTotal(pg::Connection& conn, const ListSpec& spec,
                                     TotalCountMode mode, int64_t at_least,
                                     std::optional<int64_t> estimate) {
  switch (mode) {
    case TotalCountMode::kNone:
      return PageTotal{};
    case TotalCountMode::kExact: {
      absl::StatusOr<int64_t> count = RunCount(conn, BuildCountQuery(spec, std::nullopt));
      if (!count.ok()) return count.status();
      return PageTotal{*count, false};
    }
    case TotalCountMode::kEstimate: {
      absl::StatusOr<int64_t> estimate = RunEstimate(conn, spec);
      if (!estimate.ok()) return estimate.status();
      return PageTotal{*estimate, true};
    }
    case TotalCountMode::kDefault:
      break;
  }
  return DefaultTotal(conn, spec, at_least, estimate);
}

absl::StatusOr<PagePosition> PositionOf(const pg::Row& row, const ListSpec& spec,
                                        const std::string& id) {
  PagePosition position;
  position.id = id;
  for (size_t i = 0; i < spec.sort.size(); ++i) {
    std::string column = absl::StrCat("sort_key_", i);
    if (spec.sort[i].field->is_time) {
      absl::StatusOr<absl::Time> value = row.Get<absl::Time>(column);
      if (!value.ok()) return value.status();
      position.values.emplace_back(*value);
    } else {
      absl::StatusOr<std::string> value = row.Get<std::string>(column);
      if (!value.ok()) return value.status();
      position.values.emplace_back(*std::move(value));
    }
  }
  return position;
}

// The total to report with a page of `returned` rows (`more`: further rows follow).
//  - A first page (no token) that holds the rest of the list is its own exact count.
//  - A later page reports the total its token carries from the first page (default mode), so
//    paging costs no count.
//  - A page that counted its matches (`matching_count`, see TotalPlan) is read as that count.
//  - Otherwise CountTotal, knowing the page proved offset + returned (+ 1 when more) rows.
absl::StatusOr<PageTotal> PageTotalOf(pg::Connection& conn, const ListSpec& spec,
                                      const ListUsersRequest& request, const PageTotal& carried,
                                      int returned, bool more, std::optional<int64_t> estimate,
                                      std::optional<int64_t> matching_count) {
  const bool first_page = request.page_token.empty();
  const bool counted_by_page = first_page && !more && (returned > 0 || request.offset == 0);
  switch (request.total_count_mode) {
    case TotalCountMode::kNone:
      return PageTotal{};
    case TotalCountMode::kExact:
      if (counted_by_page) return PageTotal{request.offset + returned, false};
      break;
    case TotalCountMode::kDefault:
      if (counted_by_page) return PageTotal{request.offset + returned, false};
      if (!first_page && carried.size >= 0) return carried;
      break;
    case TotalCountMode::kEstimate:
      break;
  }
  const int64_t at_least = (first_page ? request.offset : 0) + returned + (more ? 1 : 0);
  if (matching_count.has_value()) {
    return DefaultTotalFromCount(spec, *matching_count, estimate.value_or(0), at_least);
  }
  return CountTotal(conn, spec, request.total_count_mode, at_least, estimate);
}

// What to do about the total before the page is read.
struct TotalPlan {
  /// Count the matches in the page's own statement (BuildCountedPageQuery).
  bool count_with_page = false;
  /// The planner's estimate of the matches, when it was asked.
  std::optional<int64_t> estimate;
};

// A first page with a text query counts its matches in the page's statement when the default
// total would count them anyway: the estimate is within the exact-count limit. With that few
// expected matches the page is a trigram bitmap scan that fetches and sorts every match, so a
// window count over them costs next to nothing, where a separate count scans them all again.
// Not for kExact: its matches may be any number, and the window would sort every one of them
// where a separate count(*) only scans (and the page may stop early). Not without a query
// (the page is a keyset walk that stops after a page), nor on a later page (a keyset position
// would cut the count short).
absl::StatusOr<TotalPlan> PlanTotal(pg::Connection& conn, const ListSpec& spec,
                                    const ListUsersRequest& request) {
  TotalPlan plan;
  if (spec.query.empty() || !request.page_token.empty() ||
      request.total_count_mode != TotalCountMode::kDefault) {
    return plan;
  }
  absl::StatusOr<int64_t> estimate = RunEstimate(conn, spec);
  if (!estimate.ok()) return estimate.status();
  plan.estimate = *estimate;
  plan.count_with_page = *estimate <= ExactCountLimit(spec);
  return plan;
}

}  // namespace

absl::StatusOr<ListUsersPage> UserStore::List(const ListUsersRequest& request) {
  absl::StatusOr<pg::PooledConnection> conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  return ListOn(**conn, request);
}

absl::StatusOr<std::unique_ptr<UserStore::ListSnapshot>> UserStore::OpenListSnapshot() {
  absl::StatusOr<pg::PooledConnection> conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  absl::StatusOr<pg::Transaction> tx = pg::Transaction::Begin(
      **conn, {.isolation = pg::IsolationLevel::kRepeatableRead, .read_only = true});
  if (!tx.ok()) return tx.status();
  return std::unique_ptr<ListSnapshot>(new ListSnapshot(*this, *std::move(conn), *std::move(tx)));
}

absl::StatusOr<ListUsersPage> UserStore::ListSnapshot::List(const ListUsersRequest& request) {
  return store_.ListOn(tx_.connection(), request);
}

absl::StatusOr<ListUsersPage> UserStore::ListOn(pg::Connection& conn,
                                                const ListUsersRequest& request) const {
  if (request.page_size < 0) {
    return absl::InvalidArgumentError("page.page_size: must not be negative");
  }
  const int32_t page_size =
      request.page_size == 0 ? kDefaultPageSize : std::min(request.page_size, kMaxPageSize);
  if (request.offset < 0 || request.offset > kMaxOffset) {
    return absl::InvalidArgumentError("page.offset: must be 0 to 10000");
  }
  if (request.offset != 0 && !request.page_token.empty()) {
    return absl::InvalidArgumentError("page.offset: not allowed together with page.page_token");
  }
  absl::StatusOr<ListSpec> spec = MakeListSpec(request);
  if (!spec.ok()) return spec.status();
  const std::string binding = ListBinding(*spec);
  const absl::Time now = Now();
  std::optional<PagePosition> after;
  PageTotal carried;
  if (!request.page_token.empty()) {
    absl::StatusOr<PagePosition> position =
        DecodePageToken(request.page_token, binding, SortKinds(*spec), now, &carried);
    if (!position.ok()) return position.status();
    after = *std::move(position);
  }

  absl::StatusOr<TotalPlan> total_plan = PlanTotal(conn, *spec, request);
  if (!total_plan.ok()) return total_plan.status();
  Statement query = total_plan->count_with_page
                        ? BuildCountedPageQuery(*spec, page_size + 1, request.offset)
                        : BuildPageQuery(*spec, after, page_size + 1, request.offset);
  absl::StatusOr<pg::Result> rows = conn.Execute(query.sql, query.params);
  if (!rows.ok()) return rows.status();
  std::optional<int64_t> matching_count;
  if (total_plan->count_with_page && rows->size() > 0) {
    // An empty page (an offset past the end) carries no count: PageTotalOf counts apart.
    absl::StatusOr<int64_t> count = (*rows)[0].Get<int64_t>("matching_count");
    if (!count.ok()) return count.status();
    matching_count = *count;
  }

  ListUsersPage page;
  const int returned = std::min(rows->size(), page_size);
  page.users.reserve(returned);
  absl::StatusOr<UserColumns> columns;
  if (returned > 0) {
    columns = UserColumns::Of((*rows)[0]);
    if (!columns.ok()) return columns.status();
  }
  for (int i = 0; i < returned; ++i) {
    absl::StatusOr<User> user = UserFromRow((*rows)[i], *columns, options_.delete_retention);
    if (!user.ok()) return user.status();
    page.users.push_back(*std::move(user));
  }
  const bool more = rows->size() > page_size;
  absl::StatusOr<PageTotal> total = PageTotalOf(conn, *spec, request, carried, returned, more,
                                                total_plan->estimate, matching_count);
  if (!total.ok()) return total.status();
  page.total_size = total->size;
  page.total_is_estimate = total->estimate;
  if (more) {
    absl::StatusOr<PagePosition> last =
        PositionOf((*rows)[returned - 1], *spec, page.users.back().id);
    if (!last.ok()) return last.status();
    page.next_page_token = EncodePageToken(*last, binding, now + options_.page_token_ttl, *total);
  }
  return page;
}

}  // namespace backoffice::users
