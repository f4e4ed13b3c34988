// QueryEvents and ExportEvents as SQL: filters, order, keyset page tokens and totals, with
// statements built only from constant fragments (every value is a $n parameter, so each
// statement text is one of a finite set, prepared once per connection).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/pg/params.h"
#include "services/audit/store/event.h"

namespace backoffice::audit {

/// Filters; every set one must match.
struct EventFilter {
  std::string actor_id;
  /// Empty: any; else kActorUser, ...
  std::string actor_type;
  /// Exact actions, or prefixes written `users.*` (matching `users.` and everything after).
  std::vector<std::string> actions;
  std::string resource_type;
  std::string resource_id;
  /// event_time in [start, end).
  std::optional<absl::Time> time_start;
  std::optional<absl::Time> time_end;
  std::string request_id;
  std::string service;
  /// Empty: any.
  std::string outcome;
};

/// A validated query: filters and direction (by event_time, then sequence).
struct QuerySpec {
  EventFilter filter;
  bool descending = true;
};

/// How to count the total.
enum class TotalMode { kDefault, kNone, kEstimate, kExact };

/// Paging of one QueryEvents call.
struct PageSpec {
  /// 1 to 500 (the caller clamps and defaults).
  int32_t size = 50;
  std::string token;
  /// 0 to 10,000; not with a token.
  int32_t offset = 0;
  TotalMode total = TotalMode::kDefault;
};

/// One page.
struct QueryPage {
  std::vector<Event> events;
  /// Empty on the last page.
  std::string next_page_token;
  /// -1 when not counted.
  int64_t total_size = -1;
  bool total_is_estimate = false;
};

inline constexpr int kMaxFilterActions = 20;
inline constexpr int32_t kMaxPageSize = 500;
inline constexpr int32_t kMaxOffset = 10'000;
/// Exact counts stop here; above it the default mode reports the planner's estimate.
inline constexpr int64_t kExactCountCap = 10'000;

/// Checks a filter. INVALID_ARGUMENT naming the field (under `prefix`, e.g. "filter"):
/// `actions` (more than 20), `actions[i]` (not an action or `prefix.*`), `event_time.end_time`
/// (before start), text fields over their size.
absl::Status ValidateFilter(const EventFilter& filter, std::string_view prefix);

/// A hash of the spec carried in page tokens, so a token replayed with other filters is refused.
std::string QueryBinding(const QuerySpec& spec);

/// Where a page ended.
struct PagePosition {
  absl::Time event_time;
  int64_t sequence = 0;
};

/// base64url of {"v":1,"b":binding,"x":expiry,"t":unix micros,"s":sequence}.
std::string EncodePageToken(const PagePosition& position, std::string_view binding,
                            absl::Time expires_at);

/// INVALID_ARGUMENT "page.page_token: ..." when malformed, too long, expired or issued for
/// another query.
absl::StatusOr<PagePosition> DecodePageToken(std::string_view token, std::string_view binding,
                                             absl::Time now);

/// A statement and its parameters.
struct Statement {
  std::string sql;
  pg::Params params;
};

/// Up to `limit` events after `after`, skipping `offset`, in the spec's order.
Statement BuildPageQuery(const QuerySpec& spec, const std::optional<PagePosition>& after,
                         int32_t limit, int32_t offset);

/// count(*) of the matches, at most `cap` when set.
Statement BuildCountQuery(const QuerySpec& spec, std::optional<int64_t> cap);

/// EXPLAIN (FORMAT JSON) of the filter, for the planner's row estimate.
Statement BuildEstimateQuery(const QuerySpec& spec);

}  // namespace backoffice::audit
