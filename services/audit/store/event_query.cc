#include "services/audit/store/event_query.h"

#include <openssl/sha.h>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "boost/json.hpp"
#include "services/audit/store/event_row.h"

namespace backoffice::audit {
namespace {

constexpr int kTokenVersion = 1;
constexpr size_t kMaxTokenBytes = 1024;

absl::string_view Absl(std::string_view text) { return {text.data(), text.size()}; }

absl::Status Invalid(std::string_view field, std::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(Absl(field), ": ", Absl(problem)));
}

bool IsActionChars(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.')) return false;
  }
  return true;
}

// The smallest string greater than every string starting with `prefix` (bytewise), or "" if
// none exists (all 0xFF).
std::string PrefixUpperBound(std::string prefix) {
  while (!prefix.empty()) {
    unsigned char last = static_cast<unsigned char>(prefix.back());
    if (last < 0xFF) {
      prefix.back() = static_cast<char>(last + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return prefix;
}

// Collects WHERE fragments (constants of this file) and parameters.
class Builder {
 public:
  std::string Param(pg::Param value) {
    params_.Add(std::move(value));
    return absl::StrCat("$", params_.size());
  }
  void Where(std::string fragment) { where_.push_back(std::move(fragment)); }
  std::string WhereClause() const {
    return where_.empty() ? "" : absl::StrCat(" WHERE ", absl::StrJoin(where_, " AND "));
  }
  pg::Params TakeParams() { return std::move(params_); }

 private:
  pg::Params params_;
  std::vector<std::string> where_;
};

void AddFilters(const EventFilter& filter, Builder& b) {
  if (!filter.actor_id.empty()) b.Where(absl::StrCat("actor_id = ", b.Param(filter.actor_id)));
  if (!filter.actor_type.empty()) {
    b.Where(absl::StrCat("actor_type = ", b.Param(filter.actor_type)));
  }
  if (!filter.actions.empty()) {
    std::vector<std::string> exact;
    std::vector<std::string> alternatives;
    for (const std::string& action : filter.actions) {
      if (absl::EndsWith(action, ".*")) {
        std::string prefix = action.substr(0, action.size() - 1);  // keeps the dot
        alternatives.push_back(absl::StrCat("(action >= ", b.Param(prefix), "::text AND action < ",
                                            b.Param(PrefixUpperBound(prefix)), "::text)"));
      } else {
        exact.push_back(action);
      }
    }
    if (!exact.empty()) {
      alternatives.push_back(
          absl::StrCat("action = ANY(", b.Param(absl::StrCat("{", absl::StrJoin(exact, ","), "}")),
                       "::text[])"));
    }
    b.Where(absl::StrCat("(", absl::StrJoin(alternatives, " OR "), ")"));
  }
  if (!filter.resource_type.empty()) {
    b.Where(absl::StrCat("resource_type = ", b.Param(filter.resource_type)));
  }
  if (!filter.resource_id.empty()) {
    b.Where(absl::StrCat("resource_id = ", b.Param(filter.resource_id)));
  }
  if (filter.time_start.has_value()) {
    b.Where(absl::StrCat("event_time >= ", b.Param(*filter.time_start)));
  }
  if (filter.time_end.has_value()) {
    b.Where(absl::StrCat("event_time < ", b.Param(*filter.time_end)));
  }
  if (!filter.request_id.empty()) {
    b.Where(absl::StrCat("request_id = ", b.Param(filter.request_id)));
    b.Where("request_id <> ''");  // lets the planner use the partial index
  }
  if (!filter.service.empty()) b.Where(absl::StrCat("service = ", b.Param(filter.service)));
  if (!filter.outcome.empty()) b.Where(absl::StrCat("outcome = ", b.Param(filter.outcome)));
}

std::string OrderBy(bool descending) {
  return descending ? "event_time DESC, sequence DESC" : "event_time ASC, sequence ASC";
}

}  // namespace

absl::Status ValidateFilter(const EventFilter& filter, std::string_view prefix) {
  auto field = [&](std::string_view name) { return absl::StrCat(Absl(prefix), ".", Absl(name)); };
  if (filter.actions.size() > static_cast<size_t>(kMaxFilterActions)) {
    return Invalid(field("actions"), "at most 20 entries");
  }
  for (size_t i = 0; i < filter.actions.size(); ++i) {
    const std::string& action = filter.actions[i];
    std::string_view body = action;
    if (absl::EndsWith(action, ".*")) body.remove_suffix(2);
    if (action.size() > 128 || !IsActionChars(body) || body.find('*') != std::string_view::npos) {
      return Invalid(field(absl::StrCat("actions[", i, "]")),
                     "must be an action (`users.user.update`) or a prefix ending in `.*`");
    }
  }
  struct Text {
    const char* name;
    const std::string* value;
    size_t max;
  };
  for (const Text& text :
       {Text{"actor_id", &filter.actor_id, 128}, Text{"resource_type", &filter.resource_type, 64},
        Text{"resource_id", &filter.resource_id, 128}, Text{"request_id", &filter.request_id, 128},
        Text{"service", &filter.service, 64}}) {
    if (text.value->size() > text.max) {
      return Invalid(field(text.name), absl::StrCat("at most ", text.max, " bytes"));
    }
    if (text.value->find('\0') != std::string::npos) {
      return Invalid(field(text.name), "must not hold NUL");
    }
  }
  if (filter.time_start && filter.time_end && *filter.time_end < *filter.time_start) {
    return Invalid(field("event_time.end_time"), "must not be before event_time.start_time");
  }
  return absl::OkStatus();
}

std::string QueryBinding(const QuerySpec& spec) {
  const EventFilter& f = spec.filter;
  auto part = [](const std::string& text) { return absl::StrCat(text.size(), ":", text, "|"); };
  auto time = [](const std::optional<absl::Time>& t) {
    return t.has_value() ? absl::StrCat(absl::ToUnixMicros(*t), "|") : std::string("-|");
  };
  std::string description =
      absl::StrCat("audit.query.v1|", part(f.actor_id), part(f.actor_type), f.actions.size(), "|");
  for (const std::string& action : f.actions) absl::StrAppend(&description, part(action));
  absl::StrAppend(&description, part(f.resource_type), part(f.resource_id), time(f.time_start),
                  time(f.time_end), part(f.request_id), part(f.service), part(f.outcome),
                  spec.descending ? "desc" : "asc");
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(description.data()), description.size(), digest);
  std::string encoded;
  absl::WebSafeBase64Escape(absl::string_view(reinterpret_cast<const char*>(digest), 12), &encoded);
  return encoded;
}

std::string EncodePageToken(const PagePosition& position, std::string_view binding,
                            absl::Time expires_at) {
  boost::json::object token;
  token["v"] = kTokenVersion;
  token["b"] = boost::json::string_view(binding.data(), binding.size());
  token["x"] = absl::ToUnixSeconds(expires_at);
  token["t"] = absl::ToUnixMicros(position.event_time);
  token["s"] = position.sequence;
  std::string encoded;
  absl::WebSafeBase64Escape(boost::json::serialize(token), &encoded);
  return encoded;
}

absl::StatusOr<PagePosition> DecodePageToken(std::string_view token, std::string_view binding,
                                             absl::Time now) {
  absl::Status malformed =
      absl::InvalidArgumentError("page.page_token: malformed; use a next_page_token as issued");
  if (token.size() > kMaxTokenBytes) return Invalid("page.page_token", "too long");
  std::string json;
  if (!absl::WebSafeBase64Unescape(Absl(token), &json)) return malformed;
  boost::system::error_code error;
  boost::json::value parsed = boost::json::parse(json, error);
  if (error || !parsed.is_object()) return malformed;
  const boost::json::object& object = parsed.as_object();
  const boost::json::value* version = object.if_contains("v");
  const boost::json::value* bound = object.if_contains("b");
  const boost::json::value* expiry = object.if_contains("x");
  const boost::json::value* time = object.if_contains("t");
  const boost::json::value* sequence = object.if_contains("s");
  if (version == nullptr || !version->is_int64() || version->as_int64() != kTokenVersion ||
      bound == nullptr || !bound->is_string() || expiry == nullptr || !expiry->is_int64() ||
      time == nullptr || !time->is_int64() || sequence == nullptr || !sequence->is_int64()) {
    return malformed;
  }
  if (std::string_view(bound->as_string()) != binding) {
    return Invalid("page.page_token",
                   "issued for other filters or order; send the same filter and time_order as "
                   "the first page");
  }
  if (absl::FromUnixSeconds(expiry->as_int64()) <= now) {
    return Invalid("page.page_token", "expired; start again from the first page");
  }
  return PagePosition{.event_time = absl::FromUnixMicros(time->as_int64()),
                      .sequence = sequence->as_int64()};
}

Statement BuildPageQuery(const QuerySpec& spec, const std::optional<PagePosition>& after,
                         int32_t limit, int32_t offset) {
  Builder b;
  AddFilters(spec.filter, b);
  if (after.has_value()) {
    b.Where(absl::StrCat("(event_time, sequence) ", spec.descending ? "<" : ">", " (",
                         b.Param(after->event_time), "::timestamptz, ", b.Param(after->sequence),
                         "::bigint)"));
  }
  std::string where = b.WhereClause();
  std::string limit_param = b.Param(limit);
  std::string offset_param = b.Param(offset);
  Statement statement;
  statement.sql =
      absl::StrCat("SELECT ", kEventColumns, " FROM events", where, " ORDER BY ",
                   OrderBy(spec.descending), " LIMIT ", limit_param, " OFFSET ", offset_param);
  statement.params = b.TakeParams();
  return statement;
}

Statement BuildCountQuery(const QuerySpec& spec, std::optional<int64_t> cap) {
  Builder b;
  AddFilters(spec.filter, b);
  std::string where = b.WhereClause();
  Statement statement;
  if (cap.has_value()) {
    std::string cap_param = b.Param(*cap);
    statement.sql = absl::StrCat("SELECT count(*) FROM (SELECT 1 FROM events", where, " LIMIT ",
                                 cap_param, ") AS matching");
  } else {
    statement.sql = absl::StrCat("SELECT count(*) FROM events", where);
  }
  statement.params = b.TakeParams();
  return statement;
}

Statement BuildEstimateQuery(const QuerySpec& spec) {
  Builder b;
  AddFilters(spec.filter, b);
  Statement statement;
  statement.sql = absl::StrCat("EXPLAIN (FORMAT JSON) SELECT 1 FROM events", b.WhereClause());
  statement.params = b.TakeParams();
  return statement;
}

}  // namespace backoffice::audit
