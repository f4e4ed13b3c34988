// EventStore::Query and EventStore::Export (event_store.h).
#include <cmath>

#include "absl/strings/str_cat.h"
#include "boost/json.hpp"
#include "libs/pg/transaction.h"
#include "services/audit/store/event_row.h"
#include "services/audit/store/event_store.h"

namespace backoffice::audit {
namespace {

constexpr int32_t kExportPageRows = 1000;

absl::StatusOr<int64_t> Count(pg::Connection& conn, const Statement& statement) {
  absl::StatusOr<pg::Result> rows = conn.Execute(statement.sql, statement.params);
  if (!rows.ok()) return rows.status();
  absl::StatusOr<pg::Row> row = rows->First();
  if (!row.ok()) return row.status();
  return row->Get<int64_t>(0);
}

absl::StatusOr<int64_t> Estimate(pg::Connection& conn, const QuerySpec& spec) {
  Statement statement = BuildEstimateQuery(spec);
  absl::StatusOr<pg::Result> rows = conn.Execute(statement.sql, statement.params);
  if (!rows.ok()) return rows.status();
  absl::StatusOr<pg::Row> row = rows->First();
  if (!row.ok()) return row.status();
  absl::StatusOr<std::string> plan = row->Get<std::string>(0);
  if (!plan.ok()) return plan.status();
  boost::system::error_code error;
  boost::json::value parsed = boost::json::parse(*plan, error);
  if (error || !parsed.is_array() || parsed.as_array().empty()) {
    return absl::InternalError("unreadable EXPLAIN output");
  }
  const boost::json::value* rows_value = nullptr;
  if (const boost::json::object* top = parsed.as_array()[0].if_object()) {
    if (const boost::json::value* plan_node = top->if_contains("Plan")) {
      if (const boost::json::object* node = plan_node->if_object()) {
        rows_value = node->if_contains("Plan Rows");
      }
    }
  }
  if (rows_value == nullptr || !rows_value->is_number()) {
    return absl::InternalError("EXPLAIN output has no Plan Rows");
  }
  return static_cast<int64_t>(std::llround(rows_value->to_number<double>()));
}

}  // namespace

absl::StatusOr<QueryPage> EventStore::Query(const QuerySpec& spec, const PageSpec& page,
                                            absl::Time now) {
  if (page.size < 1 || page.size > kMaxPageSize) {
    return absl::InvalidArgumentError("page.page_size: must be 1 to 500");
  }
  if (page.offset < 0 || page.offset > kMaxOffset) {
    return absl::InvalidArgumentError("page.offset: must be 0 to 10000");
  }
  if (page.offset != 0 && !page.token.empty()) {
    return absl::InvalidArgumentError("page.offset: not together with page.page_token");
  }
  std::string binding = QueryBinding(spec);
  std::optional<PagePosition> after;
  if (!page.token.empty()) {
    absl::StatusOr<PagePosition> position = DecodePageToken(page.token, binding, now);
    if (!position.ok()) return position.status();
    after = *position;
  }

  absl::StatusOr<pg::PooledConnection> conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  // One row more than asked tells whether a next page exists.
  Statement statement = BuildPageQuery(spec, after, page.size + 1, page.offset);
  absl::StatusOr<pg::Result> rows = (*conn)->Execute(statement.sql, statement.params);
  if (!rows.ok()) return rows.status();
  QueryPage result;
  for (const pg::Row& row : *rows) {
    if (static_cast<int32_t>(result.events.size()) == page.size) {
      const Event& last = result.events.back();
      result.next_page_token =
          EncodePageToken({.event_time = last.event_time, .sequence = last.sequence}, binding,
                          now + absl::Hours(24));
      break;
    }
    absl::StatusOr<Event> event = EventFromRow(row);
    if (!event.ok()) return event.status();
    result.events.push_back(*std::move(event));
  }

  switch (page.total) {
    case TotalMode::kNone:
      break;
    case TotalMode::kEstimate: {
      absl::StatusOr<int64_t> estimate = Estimate(**conn, spec);
      if (!estimate.ok()) return estimate.status();
      result.total_size = *estimate;
      result.total_is_estimate = true;
      break;
    }
    case TotalMode::kExact: {
      absl::StatusOr<int64_t> count = Count(**conn, BuildCountQuery(spec, std::nullopt));
      if (!count.ok()) return count.status();
      result.total_size = *count;
      break;
    }
    case TotalMode::kDefault: {
      absl::StatusOr<int64_t> count = Count(**conn, BuildCountQuery(spec, kExactCountCap + 1));
      if (!count.ok()) return count.status();
      if (*count <= kExactCountCap) {
        result.total_size = *count;
      } else {
        absl::StatusOr<int64_t> estimate = Estimate(**conn, spec);
        if (!estimate.ok()) return estimate.status();
        result.total_size = std::max(*estimate, kExactCountCap + 1);
        result.total_is_estimate = true;
      }
      break;
    }
  }
  return result;
}

absl::Status EventStore::Export(const QuerySpec& spec, int64_t max_events,
                                const std::function<absl::Status(const Event&)>& sink) {
  absl::StatusOr<pg::PooledConnection> conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  absl::StatusOr<pg::Transaction> tx = pg::Transaction::Begin(
      **conn,
      pg::TransactionOptions{.isolation = pg::IsolationLevel::kRepeatableRead, .read_only = true});
  if (!tx.ok()) return tx.status();
  Statement count = BuildCountQuery(spec, max_events + 1);
  absl::StatusOr<pg::Result> counted = tx->Execute(count.sql, count.params);
  if (!counted.ok()) return counted.status();
  absl::StatusOr<int64_t> matching = (*counted)[0].Get<int64_t>(0);
  if (!matching.ok()) return matching.status();
  if (*matching > max_events) {
    return absl::FailedPreconditionError(
        absl::StrCat("more than ", max_events, " events match; narrow filter.event_time"));
  }
  std::optional<PagePosition> after;
  while (true) {
    Statement page = BuildPageQuery(spec, after, kExportPageRows, 0);
    absl::StatusOr<pg::Result> rows = tx->Execute(page.sql, page.params);
    if (!rows.ok()) return rows.status();
    for (const pg::Row& row : *rows) {
      absl::StatusOr<Event> event = EventFromRow(row);
      if (!event.ok()) return event.status();
      if (absl::Status status = sink(*event); !status.ok()) return status;
      after = PagePosition{.event_time = event->event_time, .sequence = event->sequence};
    }
    if (rows->size() < kExportPageRows) break;
  }
  return tx->Commit();
}

}  // namespace backoffice::audit
