#include "bff/http/list_query.h"

#include <algorithm>
#include <boost/json/value.hpp>
#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "bff/http/problem.h"
#include "bff/http/router.h"
#include "bff/http/string_views.h"
#include "libs/jwt/strict_json.h"

namespace backoffice::bff::http {
namespace {

namespace json = boost::json;

constexpr size_t kMaxEchoedChars = 64;
constexpr size_t kMaxCursorChars = 1024;

// A value quoted in an error message, bounded so a huge parameter cannot bloat the answer.
std::string Quote(std::string_view text) {
  std::string shown(text.substr(0, kMaxEchoedChars));
  if (text.size() > kMaxEchoedChars) {
    shown += "...";
  }
  return absl::StrCat("\"", shown, "\"");
}

absl::Status FieldError(std::string field, std::string message) {
  std::string text = absl::StrCat(field, ": ", message);
  return WithFieldErrors(absl::InvalidArgumentError(text),
                         {{std::move(field), std::move(message)}});
}

// A non-negative decimal integer without sign, spaces or more than 15 digits.
std::optional<int64_t> ParseCount(std::string_view text) {
  if (text.empty() || text.size() > 15) {
    return std::nullopt;
  }
  int64_t value = 0;
  for (char c : text) {
    if (!absl::ascii_isdigit(c)) {
      return std::nullopt;
    }
    value = value * 10 + (c - '0');
  }
  return value;
}

bool Contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

struct Suffix {
  std::string_view text;
  FilterOp op;
};
constexpr Suffix kSuffixes[] = {{"_like", FilterOp::kLike},
                                {"_ne", FilterOp::kNe},
                                {"_gte", FilterOp::kGte},
                                {"_lte", FilterOp::kLte}};

// The parameters of a query string, decoded, grouped by name in order of first appearance.
struct Params {
  std::vector<std::string> order;
  std::map<std::string, std::vector<std::string>> values;
};

absl::StatusOr<Params> DecodeParams(std::string_view query_string) {
  Params params;
  if (query_string.empty()) {
    return params;
  }
  // Split by hand rather than with a strict RFC 3986 grammar: clients send '[', '"' and '{'
  // unencoded (`range=[0,24]`). Escapes themselves are decoded strictly.
  for (absl::string_view pair : absl::StrSplit(ToAbsl(query_string), '&')) {
    if (pair.empty()) {
      continue;  // "a=1&&b=2"
    }
    size_t equals = pair.find('=');
    auto decode = [](absl::string_view text) -> std::optional<std::string> {
      std::string raw(text);
      std::replace(raw.begin(), raw.end(), '+', ' ');  // form encoding
      return PercentDecode(raw);
    };
    std::optional<std::string> key = decode(pair.substr(0, equals));
    std::optional<std::string> value = equals == absl::string_view::npos
                                           ? std::optional<std::string>("")
                                           : decode(pair.substr(equals + 1));
    if (!key.has_value() || !value.has_value()) {
      return absl::InvalidArgumentError("the query string is malformed");
    }
    auto [it, inserted] = params.values.try_emplace(*key);
    if (inserted) {
      params.order.push_back(*key);
    }
    it->second.push_back(std::move(*value));
  }
  return params;
}

class Builder {
 public:
  explicit Builder(const ListQuerySpec& spec) : spec_(spec) {}

  absl::Status AddFilter(std::string_view key, std::vector<std::string> values,
                         std::string_view error_field) {
    FilterOp op = FilterOp::kEq;
    std::string field;
    if (Contains(spec_.filterable, key)) {
      field = std::string(key);
    } else {
      for (const Suffix& suffix : kSuffixes) {
        if (key.size() > suffix.text.size() && absl::EndsWith(ToAbsl(key), ToAbsl(suffix.text)) &&
            Contains(spec_.filterable, key.substr(0, key.size() - suffix.text.size()))) {
          field = std::string(key.substr(0, key.size() - suffix.text.size()));
          op = suffix.op;
          break;
        }
      }
    }
    if (field.empty()) {
      std::string shown = error_field.empty() ? std::string(key) : std::string(error_field);
      return FieldError(shown, absl::StrCat("cannot filter on ", Quote(key), Allowed()));
    }
    Filter* filter = nullptr;
    for (Filter& existing : query_.filters) {
      if (existing.field == field && existing.op == op) {
        filter = &existing;
      }
    }
    if (filter == nullptr) {
      query_.filters.push_back(Filter{field, op, {}});
      filter = &query_.filters.back();
    }
    for (std::string& value : values) {
      filter->values.push_back(std::move(value));
    }
    std::string name = error_field.empty() ? std::string(key) : std::string(error_field);
    if (filter->values.size() > 1 && op != FilterOp::kEq && op != FilterOp::kNe) {
      return FieldError(name, "takes a single value");
    }
    if (filter->values.size() > spec_.max_filter_values) {
      return FieldError(name, absl::StrCat("takes at most ", spec_.max_filter_values, " values"));
    }
    return absl::OkStatus();
  }

  absl::Status AddSort(std::string_view param, std::string_view field, bool descending) {
    if (!Contains(spec_.sortable, field)) {
      std::string allowed =
          spec_.sortable.empty()
              ? std::string("; this list cannot be sorted")
              : absl::StrCat("; sortable fields: ", absl::StrJoin(spec_.sortable, ", "));
      return FieldError(std::string(param), absl::StrCat("cannot sort by ", Quote(field), allowed));
    }
    for (const SortKey& key : query_.sort) {
      if (key.field == field) {
        return FieldError(std::string(param), absl::StrCat("sorts by ", Quote(field), " twice"));
      }
    }
    query_.sort.push_back(SortKey{std::string(field), descending});
    return absl::OkStatus();
  }

  absl::Status SetSearch(std::string_view param, std::string value) {
    if (!spec_.searchable) {
      return FieldError(std::string(param), "this list has no text search");
    }
    if (query_.q.has_value()) {
      return FieldError(std::string(param), "is given twice");
    }
    query_.q = std::move(value);
    return absl::OkStatus();
  }

  ListQuery& query() { return query_; }

 private:
  std::string Allowed() const {
    if (spec_.filterable.empty()) {
      return "; this list has no filters";
    }
    return absl::StrCat("; filterable fields: ", absl::StrJoin(spec_.filterable, ", "));
  }

  const ListQuerySpec& spec_;
  ListQuery query_;
};

// A JSON scalar as a filter value string.
std::optional<std::string> ScalarText(const json::value& value) {
  switch (value.kind()) {
    case json::kind::string:
      return std::string(value.get_string());
    case json::kind::int64:
      return std::to_string(value.get_int64());
    case json::kind::uint64:
      return std::to_string(value.get_uint64());
    case json::kind::bool_:
      return value.get_bool() ? "true" : "false";
    default:
      return std::nullopt;  // null, double, array, object
  }
}

absl::Status ParseFilterJson(std::string_view text, Builder& builder) {
  absl::StatusOr<json::value> parsed = jwt::ParseStrictJson(text);
  if (!parsed.ok() || !parsed->is_object()) {
    return FieldError("filter", "must be a JSON object");
  }
  for (const auto& member : parsed->get_object()) {
    std::string key(member.key());
    std::string error_field = absl::StrCat("filter.", key);
    std::vector<std::string> values;
    if (const json::array* array = member.value().if_array()) {
      for (const json::value& item : *array) {
        std::optional<std::string> value = ScalarText(item);
        if (!value.has_value()) {
          return FieldError(error_field,
                            "must be a string, an integer, a boolean or a list of them");
        }
        values.push_back(std::move(*value));
      }
      if (values.empty()) {
        return FieldError(error_field, "must not be an empty list");
      }
    } else {
      std::optional<std::string> value = ScalarText(member.value());
      if (!value.has_value()) {
        return FieldError(error_field, "must be a string, an integer, a boolean or a list of them");
      }
      values.push_back(std::move(*value));
    }
    if (key == "q") {
      if (values.size() != 1) {
        return FieldError(error_field, "must be a string");
      }
      if (absl::Status status = builder.SetSearch(error_field, std::move(values.front()));
          !status.ok()) {
        return status;
      }
      continue;
    }
    if (absl::Status status = builder.AddFilter(key, std::move(values), error_field);
        !status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

// `sort=["title","ASC"]`.
absl::Status ParseSortJson(std::string_view text, Builder& builder) {
  absl::StatusOr<json::value> parsed = jwt::ParseStrictJson(text);
  const json::array* array = parsed.ok() ? parsed->if_array() : nullptr;
  if (array == nullptr || array->size() != 2 || !(*array)[0].is_string() ||
      !(*array)[1].is_string()) {
    return FieldError("sort", "must be a JSON array [\"field\", \"ASC\" or \"DESC\"]");
  }
  std::string order = absl::AsciiStrToLower(std::string((*array)[1].get_string()));
  if (order != "asc" && order != "desc") {
    return FieldError("sort", "order must be \"ASC\" or \"DESC\"");
  }
  return builder.AddSort("sort", std::string((*array)[0].get_string()), order == "desc");
}

// `_sort=a,b&_order=asc,desc`.
absl::Status ParseSortLists(std::string_view sort, std::string_view order, bool has_order,
                            Builder& builder) {
  std::vector<std::string> fields = absl::StrSplit(ToAbsl(sort), ',');
  std::vector<std::string> orders;
  if (has_order) {
    orders = absl::StrSplit(ToAbsl(order), ',');
  }
  if (has_order && orders.size() != 1 && orders.size() != fields.size()) {
    return FieldError("_order", "must give one order, or one per _sort field");
  }
  for (size_t i = 0; i < fields.size(); ++i) {
    std::string direction =
        orders.empty() ? "asc" : absl::AsciiStrToLower(orders.size() == 1 ? orders[0] : orders[i]);
    if (direction != "asc" && direction != "desc") {
      return FieldError("_order", "must be \"asc\" or \"desc\"");
    }
    if (fields[i].empty()) {
      return FieldError("_sort", "has an empty field name");
    }
    if (absl::Status status = builder.AddSort("_sort", fields[i], direction == "desc");
        !status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

// An inclusive [first, last] range, as `range=[0,24]` and `Range: items=0-24` send.
struct InclusiveRange {
  int64_t first = 0;
  int64_t last = 0;
};

absl::StatusOr<InclusiveRange> ParseRangeJson(std::string_view text) {
  absl::StatusOr<json::value> parsed = jwt::ParseStrictJson(text);
  const json::array* array = parsed.ok() ? parsed->if_array() : nullptr;
  auto non_negative = [](const json::value& v) {
    return (v.is_int64() && v.get_int64() >= 0) || v.is_uint64();
  };
  if (array == nullptr || array->size() != 2 || !non_negative((*array)[0]) ||
      !non_negative((*array)[1])) {
    return FieldError("range", "must be a JSON array [first, last] of non-negative integers");
  }
  InclusiveRange range{(*array)[0].to_number<int64_t>(), (*array)[1].to_number<int64_t>()};
  if (range.last < range.first) {
    return FieldError("range", "last must not be smaller than first");
  }
  return range;
}

absl::StatusOr<InclusiveRange> ParseRangeHeader(std::string_view header) {
  size_t equals = header.find('=');
  size_t dash = header.find('-', equals == std::string_view::npos ? 0 : equals);
  if (equals == std::string_view::npos || equals == 0 || dash == std::string_view::npos) {
    return FieldError("Range", "must look like \"items=0-24\"");
  }
  std::optional<int64_t> first = ParseCount(header.substr(equals + 1, dash - equals - 1));
  std::optional<int64_t> last = ParseCount(header.substr(dash + 1));
  if (!first.has_value() || !last.has_value()) {
    return FieldError("Range", "must look like \"items=0-24\"");
  }
  if (*last < *first) {
    return FieldError("Range", "last must not be smaller than first");
  }
  return InclusiveRange{*first, *last};
}

bool IsReserved(std::string_view key) {
  static constexpr std::string_view kReserved[] = {"_start", "_end", "_sort",  "_order", "q",
                                                   "range",  "sort", "filter", "cursor", "limit"};
  return std::find(std::begin(kReserved), std::end(kReserved), key) != std::end(kReserved);
}

}  // namespace

std::string FilterParamName(const Filter& filter) {
  for (const Suffix& suffix : kSuffixes) {
    if (suffix.op == filter.op) {
      return filter.field + std::string(suffix.text);
    }
  }
  return filter.field;
}

const Filter* ListQuery::FindFilter(std::string_view field, FilterOp op) const {
  for (const Filter& filter : filters) {
    if (filter.field == field && filter.op == op) {
      return &filter;
    }
  }
  return nullptr;
}

absl::StatusOr<ListQuery> ParseListQuery(std::string_view query_string,
                                         std::string_view range_header, const ListQuerySpec& spec) {
  absl::StatusOr<Params> params = DecodeParams(query_string);
  if (!params.ok()) {
    return FieldError("query", "is not a valid query string");
  }
  Builder builder(spec);
  auto single = [&](std::string_view key) -> absl::StatusOr<std::optional<std::string>> {
    auto it = params->values.find(std::string(key));
    if (it == params->values.end()) {
      return std::optional<std::string>();
    }
    if (it->second.size() > 1) {
      return FieldError(std::string(key), "is given more than once");
    }
    return std::optional<std::string>(it->second.front());
  };
#define BFF_SINGLE(var, key)                                    \
  absl::StatusOr<std::optional<std::string>> var = single(key); \
  if (!var.ok()) return var.status();
  BFF_SINGLE(start, "_start");
  BFF_SINGLE(end, "_end");
  BFF_SINGLE(sort_list, "_sort");
  BFF_SINGLE(order_list, "_order");
  BFF_SINGLE(q, "q");
  BFF_SINGLE(range, "range");
  BFF_SINGLE(sort_json, "sort");
  BFF_SINGLE(filter, "filter");
  BFF_SINGLE(cursor, "cursor");
  BFF_SINGLE(limit, "limit");
#undef BFF_SINGLE
  ListQuery& query = builder.query();

  // Paging: exactly one of the offset dialects, or a cursor.
  bool json_server_paging = start->has_value() || end->has_value();
  std::optional<InclusiveRange> inclusive;
  if (range->has_value()) {
    absl::StatusOr<InclusiveRange> parsed = ParseRangeJson(**range);
    if (!parsed.ok()) {
      return parsed.status();
    }
    inclusive = *parsed;
  }
  if (!range_header.empty()) {
    absl::StatusOr<InclusiveRange> parsed = ParseRangeHeader(range_header);
    if (!parsed.ok()) {
      return parsed.status();
    }
    if (inclusive.has_value() &&
        (inclusive->first != parsed->first || inclusive->last != parsed->last)) {
      return FieldError("Range", "disagrees with the range parameter");
    }
    inclusive = *parsed;
  }
  if (json_server_paging && inclusive.has_value()) {
    return FieldError("range", "cannot be combined with _start/_end");
  }
  if (cursor->has_value() && (json_server_paging || inclusive.has_value())) {
    return FieldError("cursor", "cannot be combined with _start/_end or range");
  }
  query.limit = spec.default_limit;
  if (json_server_paging) {
    std::optional<int64_t> first = start->has_value() ? ParseCount(**start) : 0;
    if (!first.has_value()) {
      return FieldError("_start", "must be a non-negative integer");
    }
    std::optional<int64_t> last =
        end->has_value() ? ParseCount(**end) : std::optional<int64_t>(*first + spec.default_limit);
    if (!last.has_value()) {
      return FieldError("_end", "must be a non-negative integer");
    }
    if (*last < *first) {
      return FieldError("_end", "must not be smaller than _start");
    }
    query.offset = *first;
    query.limit = *last - *first;
    if (query.limit > spec.max_limit) {
      return FieldError("_end", absl::StrCat("pages hold at most ", spec.max_limit, " rows"));
    }
  } else if (inclusive.has_value()) {
    query.offset = inclusive->first;
    query.limit = inclusive->last - inclusive->first + 1;
    if (query.limit > spec.max_limit) {
      return FieldError("range", absl::StrCat("pages hold at most ", spec.max_limit, " rows"));
    }
  }
  if (limit->has_value()) {
    if (json_server_paging || inclusive.has_value()) {
      return FieldError("limit", "cannot be combined with _start/_end or range");
    }
    std::optional<int64_t> value = ParseCount(**limit);
    if (!value.has_value() || *value < 1 || *value > spec.max_limit) {
      return FieldError("limit", absl::StrCat("must be an integer from 1 to ", spec.max_limit));
    }
    query.limit = *value;
  }
  if (cursor->has_value()) {
    if ((*cursor)->empty() || (*cursor)->size() > kMaxCursorChars) {
      return FieldError("cursor", "is not a valid cursor");
    }
    query.cursor = **cursor;
  }

  // Sorting: `_sort`/`_order` or `sort`.
  if (order_list->has_value() && !sort_list->has_value()) {
    return FieldError("_order", "needs _sort");
  }
  if (sort_list->has_value() && sort_json->has_value()) {
    return FieldError("sort", "cannot be combined with _sort");
  }
  if (sort_list->has_value()) {
    if (absl::Status status =
            ParseSortLists(**sort_list, order_list->value_or(""), order_list->has_value(), builder);
        !status.ok()) {
      return status;
    }
  } else if (sort_json->has_value()) {
    if (absl::Status status = ParseSortJson(**sort_json, builder); !status.ok()) {
      return status;
    }
  }

  // Filters and search.
  if (q->has_value()) {
    if (absl::Status status = builder.SetSearch("q", **q); !status.ok()) {
      return status;
    }
  }
  if (filter->has_value()) {
    if (absl::Status status = ParseFilterJson(**filter, builder); !status.ok()) {
      return status;
    }
  }
  for (const std::string& key : params->order) {
    if (IsReserved(key)) {
      continue;
    }
    if (absl::Status status = builder.AddFilter(key, params->values[key], ""); !status.ok()) {
      return status;
    }
  }
  return std::move(query);
}

std::string ContentRange(int64_t offset, size_t count, std::optional<uint64_t> total) {
  std::string total_text = total.has_value() ? std::to_string(*total) : "*";
  if (count == 0) {
    return absl::StrCat("items */", total_text);
  }
  return absl::StrCat("items ", offset, "-", offset + static_cast<int64_t>(count) - 1, "/",
                      total_text);
}

void SetListHeaders(HttpResponse& response, const ListQuery& query, size_t count,
                    std::optional<uint64_t> total) {
  if (total.has_value()) {
    response.headers.Set("X-Total-Count", std::to_string(*total));
  }
  response.headers.Set("Content-Range", ContentRange(query.offset, count, total));
}

}  // namespace backoffice::bff::http
