#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "bff/http/http_response.h"

namespace backoffice::bff::http {

/// How a filter compares a field with its values.
enum class FilterOp {
  kEq,    // `field=v` (several values: any of them, as `id=1&id=2` sends)
  kNe,    // `field_ne=v` (several values: none of them)
  kLike,  // `field_like=v`: contains v, case-insensitively (never a SQL pattern)
  kGte,   // `field_gte=v`
  kLte,   // `field_lte=v`
};

/// One filter condition. Values are plain strings, exactly as sent: a filter never carries SQL,
/// and the service that receives it binds it as a parameter.
struct Filter {
  std::string field;
  FilterOp op = FilterOp::kEq;
  std::vector<std::string> values;
};

/// One sort key, most significant first.
struct SortKey {
  std::string field;
  bool descending = false;
};

/// A list request, whichever dialect the client spoke.
struct ListQuery {
  /// Rows to skip (offset dialects); 0 with a cursor.
  int64_t offset = 0;
  /// Rows to return.
  int64_t limit = 0;
  /// The opaque cursor of `cursor=`/`limit=` paging, when used.
  std::optional<std::string> cursor;
  std::vector<SortKey> sort;
  std::vector<Filter> filters;
  /// The full-text search term (`q`), when given.
  std::optional<std::string> q;

  /// The filter on `field` with `op`, or nullptr.
  const Filter* FindFilter(std::string_view field, FilterOp op = FilterOp::kEq) const;
};

/// The query parameter `filter` came from in the json-server dialect (`status`, `createTime_gte`),
/// for error messages.
std::string FilterParamName(const Filter& filter);

/// What a resource allows in its lists.
struct ListQuerySpec {
  /// Fields a client may sort by.
  std::vector<std::string> sortable;
  /// Fields a client may filter on (with every operator).
  std::vector<std::string> filterable;
  /// Whether `q` is accepted.
  bool searchable = true;
  /// Page size when the client gives none.
  int64_t default_limit = 25;
  /// The largest page a client may ask for.
  int64_t max_limit = 1000;
  /// The most values one filter may carry (`id=` repeated, `filter={"id":[...]}`).
  size_t max_filter_values = 1000;
};

/// Parses a list request from its query string (without '?', percent-encoded, '+' as space) and
/// its Range header ("" when absent). Understands, unmodified:
///  - ra-data-json-server: `_start`, `_end`, `_sort`, `_order`, `field=value`, repeated `id=`;
///  - ra-data-simple-rest: `range=[0,24]`, `sort=["title","ASC"]`, `filter={"q":"x","id":[1,2]}`,
///    and `Range: <unit>=0-24`;
///  - @refinedev/simple-rest: `_sort=a,b&_order=asc,desc`, `field_like`, `field_ne`, `field_gte`,
///    `field_lte`, `q`;
///  - `cursor`/`limit` for deep pages.
/// Everything is checked against `spec`; a problem is INVALID_ARGUMENT carrying a field error
/// under the query parameter's name (`_sort: cannot sort by "x"`), so it maps to a 400 problem.
absl::StatusOr<ListQuery> ParseListQuery(std::string_view query_string,
                                         std::string_view range_header, const ListQuerySpec& spec);

/// The Content-Range value for a page: "items 0-24/319", "items 0-24/*" when the total is
/// unknown, "items */319" for an empty page.
std::string ContentRange(int64_t offset, size_t count, std::optional<uint64_t> total);

/// Sets X-Total-Count (when the total is known) and Content-Range on a list response.
void SetListHeaders(HttpResponse& response, const ListQuery& query, size_t count,
                    std::optional<uint64_t> total);

}  // namespace backoffice::bff::http
