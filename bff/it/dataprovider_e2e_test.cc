// End-to-end with the real admin data providers: npm's ra-data-json-server and
// ra-data-simple-rest (react-admin, through ra-core's fetchUtils.fetchJson) and
// @refinedev/simple-rest (refine, through its axios instance), unmodified, driven by
// tools/dataproviders/check.mjs against the real stack (PostgreSQL, users, roles, audit, bff).
// The test seeds the users the script lists, runs it as a child process with an admin token, and
// checks that it exits 0 and that every expected check is reported as passed.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "bff/it/e2e_support.h"
#include "bff/it/stack.h"
#include "tests/support/child_process.h"
#include "tests/support/service_process.h"

namespace backoffice::bff::it {
namespace {

namespace json = boost::json;
using bff::testing::TestResponse;

constexpr char kPrefix[] = "dpcheck-";

// Seeded in an order that is neither the email order nor its reverse, so that the sort checks
// tell createTime from email.
const std::vector<std::string>& SeedLetters() {
  static const std::vector<std::string> letters = {"c", "a", "e", "b", "d"};
  return letters;
}

std::string SeedEmail(const std::string& letter) {
  return absl::StrCat(kPrefix, letter, "@example.com");
}

// The checks check.mjs must report as passed, as "<provider> <check>".
std::vector<std::string> ExpectedChecks() {
  std::vector<std::string> sorts;
  for (const char* field : {"createTime", "email", "id"}) {
    for (const char* order : {"ASC", "DESC"}) {
      sorts.push_back(absl::StrCat("getList.sort.", field, ".", order));
    }
  }
  std::vector<std::string> react_admin = {"getList.pagination",
                                          "getList.filter.q",
                                          "getList.filter.status",
                                          "getOne",
                                          "getMany",
                                          "getManyReference",
                                          "getList.userRoles",
                                          "getManyReference.userRoles",
                                          "create",
                                          "update",
                                          "delete",
                                          "updateMany.partialPut",
                                          "deleteMany",
                                          "error.create.invalidEmail",
                                          "error.fieldPath",
                                          "error.message"};
  std::vector<std::string> refine = {"getList.pagination",
                                     "getList.filter.q",
                                     "getList.filter.status",
                                     "getList.filter.createTimeRange",
                                     "getList.userRoles",
                                     "getOne",
                                     "getMany",
                                     "create",
                                     "update",
                                     "deleteOne",
                                     "updateMany",
                                     "deleteMany",
                                     "error.create.invalidEmail",
                                     "error.message"};
  std::vector<std::string> expected;
  for (const char* provider : {"ra-data-json-server", "ra-data-simple-rest"}) {
    for (const std::string& name : react_admin) {
      expected.push_back(absl::StrCat(provider, " ", name));
    }
    for (const std::string& name : sorts) {
      expected.push_back(absl::StrCat(provider, " ", name));
    }
  }
  for (const std::string& name : refine) {
    expected.push_back(absl::StrCat("@refinedev/simple-rest ", name));
  }
  for (const std::string& name : sorts) {
    expected.push_back(absl::StrCat("@refinedev/simple-rest ", name));
  }
  expected.push_back("all sameRecords");
  return expected;
}

// What check.mjs printed: the passed and failed checks ("<provider> <check>") and its summary.
struct Report {
  std::set<std::string> passed;
  std::vector<std::string> failed;
  json::value summary;
};

Report ReadReport(const std::string& output) {
  Report report;
  for (absl::string_view line : absl::StrSplit(output, '\n')) {
    if (line.empty() || line.front() != '{') {
      continue;
    }
    boost::system::error_code error;
    json::value value = json::parse(std::string(line), error);
    if (error || !value.is_object()) {
      continue;
    }
    const json::object& object = value.as_object();
    if (object.contains("summary")) {
      report.summary = value;
      continue;
    }
    std::string name = absl::StrCat(Str(value, "provider"), " ", Str(value, "check"));
    const json::value* ok = object.if_contains("ok");
    if (ok != nullptr && ok->is_bool() && ok->as_bool()) {
      report.passed.insert(name);
    } else {
      report.failed.push_back(std::string(line));
    }
  }
  return report;
}

TEST_CASE("react-admin's and refine's REST data providers work against the BFF unmodified",
          "[e2e]") {
  Stack& stack = SharedStack();
  Client api(stack.bff_port());
  api.bearer = AdminToken(stack.bff_port());

  // The users the script lists: five whose emails start with kPrefix, one of them disabled.
  std::string disabled_email = SeedEmail("b");
  for (const std::string& letter : SeedLetters()) {
    json::object body = {{"email", SeedEmail(letter)},
                         {"displayName", absl::StrCat("Provider Seed ", letter)}};
    TestResponse created = api.Call("POST", "/api/users", json::serialize(body));
    INFO(created.body);
    REQUIRE(created.status == 201);
    if (SeedEmail(letter) == disabled_email) {
      TestResponse disabled =
          api.Call("POST", absl::StrCat("/api/users/", Str(Json(created), "id"), "/disable"));
      INFO(disabled.body);
      REQUIRE(disabled.status == 200);
    }
  }

  absl::StatusOr<tests::ChildProcess> child = tests::ChildProcess::Start(
      "tools/dataproviders/check.sh",
      {absl::StrCat("--url=http://127.0.0.1:", stack.bff_port(), "/api"),
       absl::StrCat("--token=", api.bearer), absl::StrCat("--prefix=", kPrefix),
       absl::StrCat("--seeded=", SeedLetters().size()), absl::StrCat("--disabled=", disabled_email),
       absl::StrCat("--admin-id=", stack.admin_id())},
      tests::TestTempPath("dataprovider-check.log"));
  REQUIRE(child.ok());
  // The script makes about a hundred requests; the bound is only for a hung process.
  std::optional<int> code = child->WaitForExit(absl::Seconds(180));
  std::string output = child->Output();
  INFO(output);
  REQUIRE(code.has_value());

  Report report = ReadReport(output);
  for (const std::string& failed : report.failed) {
    UNSCOPED_INFO("failed: " << failed);
  }
  CHECK(report.failed.empty());
  for (const std::string& name : ExpectedChecks()) {
    INFO(name);
    CHECK(report.passed.count(name) == 1);
  }
  REQUIRE(report.summary.is_object());
  CHECK(report.summary.at("failed").to_number<int64_t>() == 0);
  CHECK(report.summary.at("passed").to_number<int64_t>() ==
        static_cast<int64_t>(ExpectedChecks().size()));
  CHECK(*code == 0);
}

}  // namespace
}  // namespace backoffice::bff::it
