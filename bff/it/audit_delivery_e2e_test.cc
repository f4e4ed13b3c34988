// Nothing committed is lost: with the audit service stopped, 1,000 changes made through the BFF
// wait in the users service's outbox; once audit is back, every one arrives exactly once and the
// chain verifies. Real PostgreSQL, users, roles, audit and bff binaries.
#include <catch2/catch.hpp>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bff/it/e2e_support.h"
#include "bff/it/stack.h"

namespace backoffice::bff::it {
namespace {

using bff::testing::TestResponse;

constexpr int kChanges = 1000;

// How many `users.user.updated` events of `user_id` the audit log lists (X-Total-Count).
int64_t UpdatesListed(Client& api, const std::string& user_id) {
  TestResponse list = api.Call("GET", absl::StrCat("/api/audit?resourceId=", user_id,
                                                   "&action=users.user.updated&_start=0&_end=1"));
  INFO(list.body);
  REQUIRE(list.status == 200);
  return std::stoll(list.Header("x-total-count"));
}

TEST_CASE("1,000 changes made while the audit service is down arrive exactly once", "[audit]") {
  Stack stack;
  Client api(stack.bff_port());
  api.bearer = AdminToken(stack.bff_port());
  TestResponse created = api.Call("POST", "/api/users", R"({"email":"outage@example.com"})");
  REQUIRE(created.status == 201);
  std::string id = Str(Json(created), "id");

  stack.StopAudit();
  for (int i = 0; i < kChanges; ++i) {
    TestResponse patched =
        api.Call("PATCH", "/api/users/" + id, absl::StrCat(R"({"displayName":"Outage )", i, "\"}"));
    INFO(patched.body);
    REQUIRE(patched.status == 200);
  }
  // The audit log is down, not the platform: reading it fails, writing users goes on.
  CHECK(api.Call("GET", "/api/audit").status == 503);

  stack.StartAudit();
  // The relays back off while audit is away (at most 5 s between tries); the bound only stops a
  // broken test from hanging.
  absl::Time deadline = absl::Now() + absl::Seconds(90);
  int64_t listed = 0;
  while (listed < kChanges && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(200));
    TestResponse list = api.Call("GET", "/api/audit?_start=0&_end=1");
    if (list.status != 200) continue;  // audit still starting
    listed = UpdatesListed(api, id);
  }
  CHECK(listed == kChanges);
  // Still exactly 1,000 a moment later: nothing delivered twice.
  absl::SleepFor(absl::Seconds(1));
  CHECK(UpdatesListed(api, id) == kChanges);

  TestResponse verified = api.Call("GET", "/api/audit/verify");
  INFO(verified.body);
  REQUIRE(verified.status == 200);
  CHECK(Json(verified).at("intact") == true);
}

}  // namespace
}  // namespace backoffice::bff::it
