// End-to-end: the BFF's audit routes (/api/audit, /api/audit/{id}, export, verify, checkpoint)
// over real HTTP against the real users, roles, audit and bff binaries on a fresh database. The
// events are the real ones: changes made through the BFF, relayed by the users service's outbox.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bff/it/e2e_support.h"
#include "bff/it/stack.h"

namespace backoffice::bff::it {
namespace {

namespace json = boost::json;
using bff::testing::TestResponse;

constexpr char kPassword[] = "correct horse battery staple 9";

// A user created and then renamed through the BFF, each with its own request id, and the audit
// events those two changes produced (oldest first), once the relay has delivered both.
struct Changes {
  std::string user_id;
  std::string email;
  std::string create_request;
  std::string update_request;
  absl::Time before;
  std::vector<json::object> events;
};

Changes MakeChanges(Client& api, const std::string& name) {
  Changes changes;
  changes.before = absl::Now() - absl::Seconds(1);
  // Unique per run: Catch2 runs a test case once per SECTION.
  std::string unique = absl::StrCat(name, "-", absl::ToUnixMicros(absl::Now()));
  changes.email = absl::StrCat(unique, "@example.com");
  changes.create_request = absl::StrCat("audit-e2e-create-", unique);
  changes.update_request = absl::StrCat("audit-e2e-update-", unique);
  TestResponse created =
      api.Call("POST", "/api/users",
               absl::StrCat(R"({"email":")", changes.email, R"(","password":")", kPassword, "\"}"),
               {{"X-Request-Id", changes.create_request}});
  INFO(created.body);
  REQUIRE(created.status == 201);
  changes.user_id = Str(Json(created), "id");
  TestResponse patched =
      api.Call("PATCH", "/api/users/" + changes.user_id, R"({"displayName":"Audited"})",
               {{"X-Request-Id", changes.update_request}});
  INFO(patched.body);
  REQUIRE(patched.status == 200);

  // The relay delivers asynchronously; the bound only stops a broken test from hanging.
  std::string target = absl::StrCat("/api/audit?resourceId=", changes.user_id,
                                    "&_sort=eventTime&_order=ASC&_start=0&_end=10");
  absl::Time deadline = absl::Now() + absl::Seconds(15);
  while (true) {
    TestResponse list = api.Call("GET", target);
    INFO(list.body);
    REQUIRE(list.status == 200);
    json::value rows = Json(list);
    if (rows.as_array().size() >= 2) {
      for (const json::value& row : rows.as_array()) {
        changes.events.push_back(row.as_object());
      }
      return changes;
    }
    REQUIRE(absl::Now() < deadline);
    absl::SleepFor(absl::Milliseconds(50));
  }
}

std::string Rfc3339(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", time, absl::UTCTimeZone());
}

TEST_CASE("changes made through the BFF are listed, filtered, sorted and fetched", "[audit]") {
  Stack& stack = SharedStack();
  Client api(stack.bff_port());
  api.bearer = AdminToken(stack.bff_port());
  Changes changes = MakeChanges(api, "listed");

  REQUIRE(changes.events.size() == 2);
  const json::object& created = changes.events[0];
  const json::object& updated = changes.events[1];
  INFO(json::serialize(created) << "\n" << json::serialize(updated));
  CHECK(created.at("action") == "users.user.created");
  CHECK(updated.at("action") == "users.user.updated");
  CHECK(created.at("service") == "users");
  CHECK(created.at("resourceId").as_string() == changes.user_id);
  CHECK(created.at("requestId").as_string() == changes.create_request);
  CHECK(updated.at("requestId").as_string() == changes.update_request);
  CHECK(created.at("actor").at("type").as_string() == "user");
  CHECK(created.at("actor").at("id").as_string() == stack.admin_id());
  CHECK(created.at("outcome") == "success");
  CHECK(created.at("eventTime").is_string());
  CHECK(created.at("hash").as_string().size() == 64);
  CHECK(updated.at("sequence").to_number<int64_t>() > created.at("sequence").to_number<int64_t>());
  CHECK(updated.at("after").is_object());
  std::string created_id(created.at("id").as_string());
  std::string updated_id(updated.at("id").as_string());

  SECTION("json-server: exact filters, totals") {
    TestResponse one =
        api.Call("GET", absl::StrCat("/api/audit?requestId=", changes.update_request,
                                     "&actorType=user&action=users.*&_start=0&_end=10"));
    INFO(one.body);
    REQUIRE(one.status == 200);
    CHECK(Column(one, "id") == std::vector<std::string>{updated_id});
    CHECK(one.Header("x-total-count") == "1");
    CHECK(one.Header("content-range") == "items 0-0/1");

    TestResponse none = api.Call(
        "GET", absl::StrCat("/api/audit?resourceId=", changes.user_id, "&time_lte=2000-01-01"));
    REQUIRE(none.status == 200);
    CHECK(Json(none).as_array().empty());
    CHECK(none.Header("x-total-count") == "0");

    TestResponse other =
        api.Call("GET", absl::StrCat("/api/audit?resourceId=", changes.user_id, "&outcome=denied"));
    REQUIRE(other.status == 200);
    CHECK(Json(other).as_array().empty());
  }

  SECTION("ra-data-simple-rest: filter JSON, sort JSON, range") {
    TestResponse page =
        api.Call("GET", absl::StrCat(R"(/api/audit?filter={"resourceId":")", changes.user_id,
                                     R"("}&sort=["eventTime","DESC"]&range=[0,0])"));
    INFO(page.body);
    REQUIRE(page.status == 200);
    CHECK(Column(page, "id") == std::vector<std::string>{updated_id});
    CHECK(page.Header("content-range") == "items 0-0/2");
  }

  SECTION("refine: time range operators and descending sort") {
    TestResponse page =
        api.Call("GET", absl::StrCat("/api/audit?resourceId=", changes.user_id,
                                     "&eventTime_gte=", Rfc3339(changes.before),
                                     "&eventTime_lte=", Rfc3339(absl::Now() + absl::Minutes(1)),
                                     "&_sort=eventTime&_order=desc&_start=0&_end=10"));
    INFO(page.body);
    REQUIRE(page.status == 200);
    CHECK(Column(page, "id") == std::vector<std::string>{updated_id, created_id});
    CHECK(page.Header("x-total-count") == "2");
  }

  SECTION("cursor paging") {
    std::string query =
        absl::StrCat("/api/audit?resourceId=", changes.user_id, "&_sort=eventTime&_order=asc");
    TestResponse first = api.Call("GET", query + "&limit=1");
    INFO(first.body);
    REQUIRE(first.status == 200);
    CHECK(Column(first, "id") == std::vector<std::string>{created_id});
    std::string cursor(first.Header("x-next-cursor"));
    REQUIRE_FALSE(cursor.empty());
    TestResponse second = api.Call("GET", absl::StrCat(query, "&limit=1&cursor=", cursor));
    INFO(second.body);
    REQUIRE(second.status == 200);
    CHECK(Column(second, "id") == std::vector<std::string>{updated_id});
  }

  SECTION("one event by id or by sequence") {
    TestResponse by_id = api.Call("GET", "/api/audit/" + updated_id);
    INFO(by_id.body);
    REQUIRE(by_id.status == 200);
    CHECK(Json(by_id).as_object() == updated);
    TestResponse by_sequence =
        api.Call("GET", absl::StrCat("/api/audit/", updated.at("sequence").to_number<int64_t>()));
    REQUIRE(by_sequence.status == 200);
    CHECK(Str(Json(by_sequence), "id") == updated_id);
  }
}

TEST_CASE("exports download CSV and NDJSON with the list's filters", "[audit]") {
  Stack& stack = SharedStack();
  Client api(stack.bff_port());
  api.bearer = AdminToken(stack.bff_port());
  Changes changes = MakeChanges(api, "exported");

  TestResponse csv =
      api.Call("GET", absl::StrCat("/api/audit/export?format=csv&resourceId=", changes.user_id));
  INFO(csv.body);
  REQUIRE(csv.status == 200);
  CHECK(absl::StartsWith(csv.Header("content-type"), "text/csv"));
  CHECK(absl::StartsWith(csv.Header("content-disposition"), "attachment; filename=\"audit-"));
  CHECK(absl::EndsWith(csv.Header("content-disposition"), ".csv\""));
  std::vector<std::string> lines =
      absl::StrSplit(csv.body, absl::ByAnyChar("\r\n"), absl::SkipEmpty());
  REQUIRE(lines.size() == 3);  // header + the two events, oldest first
  CHECK(absl::StrContains(lines[0], "action"));
  CHECK(absl::StrContains(lines[1], "users.user.created"));
  CHECK(absl::StrContains(lines[2], "users.user.updated"));

  TestResponse ndjson = api.Call(
      "GET", absl::StrCat("/api/audit/export?format=ndjson&_sort=eventTime&_order=DESC&resourceId=",
                          changes.user_id));
  INFO(ndjson.body);
  REQUIRE(ndjson.status == 200);
  CHECK(ndjson.Header("content-type") == "application/x-ndjson");
  CHECK(absl::EndsWith(ndjson.Header("content-disposition"), ".ndjson\""));
  std::vector<std::string> records = absl::StrSplit(ndjson.body, '\n', absl::SkipEmpty());
  REQUIRE(records.size() == 2);
  CHECK(Str(json::parse(records[0]), "id") == Str(changes.events[1], "id"));
  CHECK(Str(json::parse(records[1]), "id") == Str(changes.events[0], "id"));

  // Each export is audited itself.
  absl::Time deadline = absl::Now() + absl::Seconds(15);
  while (true) {
    TestResponse exports = api.Call("GET", "/api/audit?action=audit.export.create&service=audit");
    REQUIRE(exports.status == 200);
    if (Json(exports).as_array().size() >= 2) break;
    REQUIRE(absl::Now() < deadline);
    absl::SleepFor(absl::Milliseconds(50));
  }
}

TEST_CASE("the chain verifies intact and the head is signed", "[audit]") {
  Stack& stack = SharedStack();
  Client api(stack.bff_port());
  api.bearer = AdminToken(stack.bff_port());
  MakeChanges(api, "verified");

  TestResponse whole = api.Call("GET", "/api/audit/verify");
  INFO(whole.body);
  REQUIRE(whole.status == 200);
  json::value result = Json(whole);
  CHECK(result.at("intact") == true);
  CHECK(result.at("startSequence") == 1);
  CHECK(result.at("verifiedCount").to_number<int64_t>() >= 2);
  CHECK(result.at("firstBrokenSequence").is_null());

  TestResponse range =
      api.Call("POST", "/api/audit/verify", R"({"startSequence":2,"endSequence":2})");
  INFO(range.body);
  REQUIRE(range.status == 200);
  CHECK(Json(range).at("intact") == true);
  CHECK(Json(range).at("verifiedCount") == 1);
  TestResponse by_query = api.Call("POST", "/api/audit/verify?endSequence=1");
  REQUIRE(by_query.status == 200);
  CHECK(Json(by_query).at("endSequence") == 1);

  TestResponse checkpoint = api.Call("GET", "/api/audit/checkpoint");
  INFO(checkpoint.body);
  REQUIRE(checkpoint.status == 200);
  json::value head = Json(checkpoint);
  CHECK(head.at("sequence").to_number<int64_t>() >= 2);
  CHECK(head.at("id") == head.at("sequence"));
  CHECK(head.at("hash").as_string().size() == 64);
  CHECK(head.at("signature").as_string().size() == 88);  // 64 bytes in base64
  CHECK(head.at("publicKey").as_string().size() == 44);  // 32 bytes
  CHECK(absl::StartsWith(Str(head, "keyId"), "ed25519-"));
  CHECK(head.at("signTime").is_string());
}

TEST_CASE("bad queries are 400s naming the parameter; unknown events 404", "[audit]") {
  Stack& stack = SharedStack();
  Client api(stack.bff_port());
  api.bearer = AdminToken(stack.bff_port());

  struct Bad {
    std::string target;
    std::string field;
  };
  std::vector<Bad> bad = {
      {"/api/audit?colour=red", "colour"},
      {"/api/audit?_sort=action", "_sort"},
      {"/api/audit?actorType=robot", "actorType"},
      {"/api/audit?time_gte=yesterday", "time_gte"},
      {"/api/audit?q=admin", "q"},
      {"/api/audit?cursor=not-a-token&limit=5", "cursor"},
      {"/api/audit/export?format=xml", "format"},
      {"/api/audit/export?_sort=action", "_sort"},
      {"/api/audit/verify?startSequence=-1", "startSequence"},
      {"/api/audit/checkpoint?x=1", "x"},
  };
  for (const Bad& request : bad) {
    TestResponse answer = api.Call("GET", request.target);
    INFO(request.target << " -> " << answer.body);
    CHECK(answer.status == 400);
    CHECK(HasError(answer, request.field));
  }
  TestResponse reversed = api.Call("GET", "/api/audit/verify?startSequence=5&endSequence=2");
  INFO(reversed.body);
  CHECK(reversed.status == 400);
  TestResponse body = api.Call("POST", "/api/audit/verify", R"({"startSequence":"one"})");
  CHECK(body.status == 400);
  CHECK(HasError(body, "startSequence"));

  CHECK(api.Call("GET", "/api/audit/01900000-0000-7000-8000-00000000dead").status == 404);
  CHECK(api.Call("GET", "/api/audit/999999999").status == 404);
}

TEST_CASE("audit:read lists but does not export; no grant, no audit", "[audit]") {
  Stack& stack = SharedStack();
  Client admin(stack.bff_port());
  admin.bearer = AdminToken(stack.bff_port());
  Changes changes = MakeChanges(admin, "reader");  // its account has a password and no role

  TestResponse role =
      admin.Call("POST", "/api/roles",
                 absl::StrCat(R"({"name":"audit-reader-)", absl::ToUnixMicros(absl::Now()),
                              R"(","permissions":["audit:read"]})"));
  INFO(role.body);
  REQUIRE(role.status == 201);
  Client reader(stack.bff_port());
  reader.bearer = TokenFor(stack.bff_port(), LoginBody(changes.email, kPassword));

  TestResponse refused = reader.Call("GET", "/api/audit");
  CHECK(refused.status == 403);
  CHECK(absl::StrContains(refused.body, "audit:read"));

  TestResponse granted = admin.Call("POST", absl::StrCat("/api/users/", changes.user_id, "/roles"),
                                    absl::StrCat(R"({"roleId":")", Str(Json(role), "id"), "\"}"));
  INFO(granted.body);
  REQUIRE(granted.status == 201);
  // The grant reaches the BFF's permission cache through the watch; bounded wait.
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  int status = 0;
  while (status != 200 && absl::Now() < deadline) {
    status = reader.Call("GET", "/api/audit?_start=0&_end=1").status;
  }
  CHECK(status == 200);
  CHECK(reader.Call("GET", "/api/audit/" + Str(changes.events[0], "id")).status == 200);
  CHECK(reader.Call("GET", "/api/audit/verify").status == 200);
  TestResponse export_refused = reader.Call("GET", "/api/audit/export");
  CHECK(export_refused.status == 403);
  CHECK(absl::StrContains(export_refused.body, "audit:export"));
}

}  // namespace
}  // namespace backoffice::bff::it
