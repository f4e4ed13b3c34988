#include "bff/http/list_query.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "bff/http/problem.h"

namespace backoffice::bff::http {
namespace {

ListQuerySpec Spec() {
  ListQuerySpec spec;
  spec.sortable = {"id", "email", "created_at", "title"};
  spec.filterable = {"id", "status", "email", "created_at", "is_admin"};
  spec.default_limit = 25;
  spec.max_limit = 100;
  spec.max_filter_values = 5;
  return spec;
}

// A compact rendering of a ListQuery, so table rows can state the whole expected result.
std::string Render(const ListQuery& query) {
  std::string out =
      "offset=" + std::to_string(query.offset) + " limit=" + std::to_string(query.limit);
  if (query.cursor.has_value()) {
    out += " cursor=" + *query.cursor;
  }
  for (const SortKey& key : query.sort) {
    out += " sort=" + key.field + (key.descending ? ":desc" : ":asc");
  }
  static const char* kOps[] = {"eq", "ne", "like", "gte", "lte"};
  for (const Filter& filter : query.filters) {
    out += " " + filter.field + "." + kOps[static_cast<int>(filter.op)] + "=[";
    for (size_t i = 0; i < filter.values.size(); ++i) {
      out += (i ? "|" : "") + filter.values[i];
    }
    out += "]";
  }
  if (query.q.has_value()) {
    out += " q=" + *query.q;
  }
  return out;
}

struct Case {
  std::string name;
  std::string query;
  std::string range_header;
  std::string expected;
};

TEST_CASE("list dialects parse into one ListQuery", "[list_query]") {
  const std::vector<Case> cases = {
      // Defaults.
      {"empty", "", "", "offset=0 limit=25"},
      // ra-data-json-server.
      {"json-server page", "_start=0&_end=25", "", "offset=0 limit=25"},
      {"json-server second page", "_start=25&_end=50", "", "offset=25 limit=25"},
      {"json-server sort asc", "_sort=title&_order=ASC", "", "offset=0 limit=25 sort=title:asc"},
      {"json-server sort desc", "_sort=created_at&_order=DESC&_start=10&_end=20", "",
       "offset=10 limit=10 sort=created_at:desc"},
      {"json-server sort without order", "_sort=email", "", "offset=0 limit=25 sort=email:asc"},
      {"json-server field equals", "status=active", "", "offset=0 limit=25 status.eq=[active]"},
      {"json-server getMany ids", "id=1&id=2&id=3", "", "offset=0 limit=25 id.eq=[1|2|3]"},
      {"json-server end only", "_end=10", "", "offset=0 limit=10"},
      {"json-server start only", "_start=5", "", "offset=5 limit=25"},
      {"json-server empty page", "_start=5&_end=5", "", "offset=5 limit=0"},
      {"percent-encoded value", "email=a%40b.example&status=in%20review", "",
       "offset=0 limit=25 email.eq=[a@b.example] status.eq=[in review]"},
      {"plus is a space", "q=hello+world", "", "offset=0 limit=25 q=hello world"},
      {"empty value", "status=", "", "offset=0 limit=25 status.eq=[]"},
      // ra-data-simple-rest.
      {"simple-rest range", "range=%5B0%2C24%5D", "", "offset=0 limit=25"},
      {"simple-rest range raw brackets", "range=[50,74]", "", "offset=50 limit=25"},
      {"simple-rest sort", "sort=%5B%22title%22%2C%22ASC%22%5D", "",
       "offset=0 limit=25 sort=title:asc"},
      {"simple-rest sort desc", "sort=[\"created_at\",\"DESC\"]", "",
       "offset=0 limit=25 sort=created_at:desc"},
      {"simple-rest filter q and ids", "filter=%7B%22q%22%3A%22x%22%2C%22id%22%3A%5B1%2C2%5D%7D",
       "", "offset=0 limit=25 id.eq=[1|2] q=x"},
      {"simple-rest filter scalar types", "filter={\"status\":\"active\",\"is_admin\":true}", "",
       "offset=0 limit=25 status.eq=[active] is_admin.eq=[true]"},
      {"simple-rest filter with operators",
       "filter={\"email_like\":\"ann\",\"created_at_gte\":\"2026-01-01\"}", "",
       "offset=0 limit=25 email.like=[ann] created_at.gte=[2026-01-01]"},
      {"simple-rest full request", "filter={}&range=[0,9]&sort=[\"id\",\"ASC\"]", "posts=0-9",
       "offset=0 limit=10 sort=id:asc"},
      {"Range header alone", "", "items=0-24", "offset=0 limit=25"},
      {"Range header with resource unit", "", "users=25-49", "offset=25 limit=25"},
      // @refinedev/simple-rest.
      {"refine multi sort", "_sort=title,created_at&_order=asc,desc", "",
       "offset=0 limit=25 sort=title:asc sort=created_at:desc"},
      {"refine one order for all", "_sort=title,id&_order=desc", "",
       "offset=0 limit=25 sort=title:desc sort=id:desc"},
      {"refine like", "email_like=ann", "", "offset=0 limit=25 email.like=[ann]"},
      {"refine ne", "status_ne=deleted", "", "offset=0 limit=25 status.ne=[deleted]"},
      {"refine ne many", "status_ne=deleted&status_ne=locked", "",
       "offset=0 limit=25 status.ne=[deleted|locked]"},
      {"refine range filters", "created_at_gte=2026-01-01&created_at_lte=2026-02-01", "",
       "offset=0 limit=25 created_at.gte=[2026-01-01] created_at.lte=[2026-02-01]"},
      {"refine q", "q=ann&_start=0&_end=10", "", "offset=0 limit=10 q=ann"},
      // Cursor paging.
      {"cursor and limit", "cursor=abc.def_-&limit=50", "", "offset=0 limit=50 cursor=abc.def_-"},
      {"limit alone", "limit=10", "", "offset=0 limit=10"},
      {"cursor alone", "cursor=xyz", "", "offset=0 limit=25 cursor=xyz"},
      // SQL is a value, never SQL.
      {"sql in a filter is a string", "email=%27%3B%20DROP%20TABLE%20users%3B--", "",
       "offset=0 limit=25 email.eq=['; DROP TABLE users;--]"},
      {"sql in q is a string", "q=1%27%20OR%20%271%27%3D%271", "",
       "offset=0 limit=25 q=1' OR '1'='1"},
      {"like wildcards are literal", "email_like=%25_%25", "",
       "offset=0 limit=25 email.like=[%_%]"},
      // Exact field names win over suffixes.
      {"field named like a suffix", "is_admin=false", "", "offset=0 limit=25 is_admin.eq=[false]"},
  };
  for (const Case& c : cases) {
    INFO(c.name << ": " << c.query << " / " << c.range_header);
    absl::StatusOr<ListQuery> query = ParseListQuery(c.query, c.range_header, Spec());
    REQUIRE(query.ok());
    CHECK(Render(*query) == c.expected);
  }
}

struct ErrorCase {
  std::string name;
  std::string query;
  std::string range_header;
  std::string field;         // the field error's key
  std::string message_part;  // a piece of its message
};

TEST_CASE("bad list requests name the parameter at fault", "[list_query]") {
  const std::vector<ErrorCase> cases = {
      {"unknown sort field", "_sort=password_hash", "", "_sort",
       "cannot sort by \"password_hash\""},
      {"unknown sort field lists allowed", "_sort=nope", "", "_sort", "sortable fields: id, email"},
      {"unknown sort in refine list", "_sort=title,nope&_order=asc,asc", "", "_sort", "\"nope\""},
      {"unknown simple-rest sort", "sort=[\"nope\",\"ASC\"]", "", "sort",
       "cannot sort by \"nope\""},
      {"sort twice", "_sort=id,id", "", "_sort", "twice"},
      {"bad order", "_sort=id&_order=sideways", "", "_order", "asc"},
      {"order count mismatch", "_sort=id,title,email&_order=asc,desc", "", "_order", "one per"},
      {"order without sort", "_order=asc", "", "_order", "needs _sort"},
      {"both sort dialects", "_sort=id&sort=[\"id\",\"ASC\"]", "", "sort", "cannot be combined"},
      {"malformed sort json", "sort=title", "", "sort", "JSON array"},
      {"bad sort direction json", "sort=[\"id\",\"UP\"]", "", "sort", "ASC"},
      {"empty sort field", "_sort=id,", "", "_sort", "empty"},
      {"unknown filter field", "password=x", "", "password", "cannot filter on \"password\""},
      {"unknown filter suffix", "status_between=1", "", "status_between", "cannot filter"},
      {"unknown filter in json", "filter={\"secret\":1}", "", "filter.secret", "cannot filter"},
      {"filter not json", "filter=status:active", "", "filter", "JSON object"},
      {"filter json array", "filter=[1]", "", "filter", "JSON object"},
      {"filter duplicate keys", "filter={\"id\":1,\"id\":2}", "", "filter", "JSON object"},
      {"filter nested object", "filter={\"status\":{\"a\":1}}", "", "filter.status", "must be"},
      {"filter null", "filter={\"status\":null}", "", "filter.status", "must be"},
      {"filter float", "filter={\"id\":1.5}", "", "filter.id", "must be"},
      {"filter empty list", "filter={\"id\":[]}", "", "filter.id", "empty"},
      {"too many ids", "id=1&id=2&id=3&id=4&id=5&id=6", "", "id", "at most 5"},
      {"like with many values", "email_like=a&email_like=b", "", "email_like", "single value"},
      {"negative start", "_start=-1&_end=5", "", "_start", "non-negative"},
      {"start not a number", "_start=abc", "", "_start", "non-negative"},
      {"start with plus", "_start=%2B1&_end=5", "", "_start", "non-negative"},
      {"end before start", "_start=10&_end=5", "", "_end", "smaller"},
      {"page too large", "_start=0&_end=1000", "", "_end", "at most 100"},
      {"range malformed", "range=0-24", "", "range", "JSON array"},
      {"range negative", "range=[-1,5]", "", "range", "non-negative"},
      {"range reversed", "range=[5,1]", "", "range", "smaller"},
      {"range too large", "range=[0,500]", "", "range", "at most 100"},
      {"range with start", "range=[0,9]&_start=0&_end=10", "", "range", "cannot be combined"},
      {"Range header malformed", "", "items 0-24", "Range", "items=0-24"},
      {"Range header disagrees", "range=[0,9]", "items=10-19", "Range", "disagrees"},
      {"Range header reversed", "", "items=9-0", "Range", "smaller"},
      {"cursor with offset", "cursor=abc&_start=0&_end=5", "", "cursor", "cannot be combined"},
      {"cursor too long", "cursor=" + std::string(2000, 'a'), "", "cursor", "not a valid"},
      {"empty cursor", "cursor=", "", "cursor", "not a valid"},
      {"limit zero", "limit=0", "", "limit", "from 1 to 100"},
      {"limit too large", "limit=101", "", "limit", "from 1 to 100"},
      {"limit not a number", "limit=ten", "", "limit", "from 1 to 100"},
      {"limit with range", "limit=5&range=[0,4]", "", "limit", "cannot be combined"},
      {"repeated start", "_start=0&_start=5", "", "_start", "more than once"},
      {"q twice", "q=a&filter={\"q\":\"b\"}", "", "filter.q", "twice"},
      {"malformed percent escape", "status=%zz", "", "query", "not a valid query string"},
  };
  for (const ErrorCase& c : cases) {
    INFO(c.name << ": " << c.query << " / " << c.range_header);
    absl::StatusOr<ListQuery> query = ParseListQuery(c.query, c.range_header, Spec());
    REQUIRE_FALSE(query.ok());
    CHECK(query.status().code() == absl::StatusCode::kInvalidArgument);
    Problem problem = ProblemFromStatus(query.status());
    CHECK(problem.status == 400);
    REQUIRE(problem.errors.size() == 1);
    CHECK(problem.errors[0].first == c.field);
    CHECK_THAT(problem.errors[0].second, Catch::Matchers::Contains(c.message_part));
  }
}

TEST_CASE("a list without search refuses q", "[list_query]") {
  ListQuerySpec spec = Spec();
  spec.searchable = false;
  absl::StatusOr<ListQuery> query = ParseListQuery("q=x", "", spec);
  REQUIRE_FALSE(query.ok());
  CHECK(ProblemFromStatus(query.status()).errors[0].first == "q");
}

TEST_CASE("echoed values are bounded", "[list_query]") {
  absl::StatusOr<ListQuery> query = ParseListQuery("_sort=" + std::string(5000, 'x'), "", Spec());
  REQUIRE_FALSE(query.ok());
  CHECK(query.status().message().size() < 400);
}

TEST_CASE("FindFilter finds by field and operator", "[list_query]") {
  absl::StatusOr<ListQuery> query = ParseListQuery("status=a&status_ne=b", "", Spec());
  REQUIRE(query.ok());
  REQUIRE(query->FindFilter("status") != nullptr);
  CHECK(query->FindFilter("status")->values == std::vector<std::string>{"a"});
  REQUIRE(query->FindFilter("status", FilterOp::kNe) != nullptr);
  CHECK(query->FindFilter("status", FilterOp::kLike) == nullptr);
}

TEST_CASE("list response headers", "[list_query]") {
  CHECK(ContentRange(0, 25, 319) == "items 0-24/319");
  CHECK(ContentRange(25, 25, std::nullopt) == "items 25-49/*");
  CHECK(ContentRange(0, 0, 0) == "items */0");
  CHECK(ContentRange(300, 19, 319) == "items 300-318/319");

  ListQuery query;
  query.offset = 50;
  query.limit = 25;
  HttpResponse response;
  SetListHeaders(response, query, 25, 319);
  CHECK(response.headers.Get("X-Total-Count") == "319");
  CHECK(response.headers.Get("Content-Range") == "items 50-74/319");

  HttpResponse unknown;
  SetListHeaders(unknown, query, 3, std::nullopt);
  CHECK_FALSE(unknown.headers.Has("X-Total-Count"));
  CHECK(unknown.headers.Get("Content-Range") == "items 50-52/*");
}

}  // namespace
}  // namespace backoffice::bff::http
