// End-to-end: the BFF's cache of user records and list pages (bff/app/users_cache.h) against the
// real users, roles and bff binaries. A change made behind the BFF's back (straight to the users
// service, as another replica or an internal service would) reaches its answers through
// WatchUserChanges; a change made through the BFF is visible at once; nothing is answered from
// the cache while the watch is down. The cache's max_age is set far beyond the test's waits, so
// only the watch can explain a fresh answer.
#include <grpcpp/grpcpp.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <functional>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bff/it/e2e_support.h"
#include "bff/it/stack.h"
#include "libs/testing/eventually.h"
#include "proto/users/v1/users.grpc.pb.h"

namespace backoffice::bff::it {
namespace {

using bff::testing::TestResponse;

Stack& CacheStack() {
  // A frozen users service answers nothing: its calls end at the deadline (the stack's 30 s
  // would outlast the test client's 20 s read timeout).
  static Stack* stack =
      new Stack({.bff_flags = {"--users_cache_max_age=1h", "--downstream_keepalive=1s",
                               "--downstream_deadline=5s"}});
  return *stack;
}

// The value of an unlabelled sample on /metrics (-1 when absent).
double Metric(Client& api, const std::string& name) {
  std::string body = api.Call("GET", "/metrics").body;
  std::string prefix = absl::StrCat("\n", name, " ");
  size_t at = body.find(prefix);
  if (at == std::string::npos) return -1;
  size_t start = at + prefix.size();
  double value = -1;
  if (!absl::SimpleAtod(body.substr(start, body.find('\n', start) - start), &value)) return -1;
  return value;
}

// Polls `condition` until it holds (the limit only stops a broken test from hanging).
bool Eventually(const std::function<bool()>& condition) {
  return ::backoffice::testing::Eventually(condition, absl::Seconds(15));
}

std::string CreateUser(Client& api, const std::string& email) {
  TestResponse created = api.Call(
      "POST", "/api/users", absl::StrCat(R"({"email":")", email, R"(","displayName":"Before"})"));
  INFO(created.body);
  REQUIRE(created.status == 201);
  return Str(Json(created), "id");
}

std::string DisplayName(Client& api, const std::string& id) {
  TestResponse got = api.Call("GET", "/api/users/" + id);
  INFO(got.body);
  REQUIRE(got.status == 200);
  return Str(Json(got), "displayName");
}

int64_t Total(Client& api, const std::string& query) {
  TestResponse list = api.Call("GET", "/api/users?" + query);
  INFO(list.body);
  REQUIRE(list.status == 200);
  int64_t total = -1;
  REQUIRE(absl::SimpleAtoi(list.Header("x-total-count"), &total));
  return total;
}

// The users service, called directly with the admin's token (not through the BFF).
std::unique_ptr<users::v1::UsersService::Stub> UsersDirect(const Stack& stack) {
  return users::v1::UsersService::NewStub(
      grpc::CreateChannel(stack.users_address(), grpc::InsecureChannelCredentials()));
}

void RenameDirectly(const Stack& stack, const std::string& token, const std::string& id,
                    const std::string& name) {
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + token);
  users::v1::UpdateUserRequest update;
  update.mutable_user()->set_id(id);
  update.mutable_user()->set_display_name(name);
  update.mutable_update_mask()->add_paths("display_name");
  users::v1::User updated;
  grpc::Status status = UsersDirect(stack)->UpdateUser(&context, update, &updated);
  INFO(status.error_message());
  REQUIRE(status.ok());
}

Client Admin(Stack& stack) {
  Client admin(stack.bff_port());
  admin.bearer = AdminToken(stack.bff_port());
  REQUIRE(Eventually([&] { return Metric(admin, "bff_users_watch_live") == 1; }));
  return admin;
}

}  // namespace

TEST_CASE("a record read twice is answered from the cache the second time", "[users_cache]") {
  Stack& stack = CacheStack();
  Client admin = Admin(stack);
  std::string id = CreateUser(admin, "cached-twice@cache.example");
  double hits = Metric(admin, "bff_users_cache_hits_total");
  CHECK(DisplayName(admin, id) == "Before");
  CHECK(DisplayName(admin, id) == "Before");
  CHECK(Metric(admin, "bff_users_cache_hits_total") >= hits + 1);
}

TEST_CASE("a change made behind the BFF reaches its cached record and pages", "[users_cache]") {
  Stack& stack = CacheStack();
  Client admin = Admin(stack);
  std::string id = CreateUser(admin, "behind-the-back@cache.example");
  const std::string query = "q=behind-the-back&_start=0&_end=25";
  REQUIRE(DisplayName(admin, id) == "Before");  // cached from here on
  REQUIRE(DisplayName(admin, id) == "Before");
  TestResponse page = admin.Call("GET", "/api/users?" + query);
  REQUIRE(Column(page, "displayName") == std::vector<std::string>{"Before"});

  RenameDirectly(stack, admin.bearer, id, "Renamed elsewhere");
  CHECK(Eventually([&] { return DisplayName(admin, id) == "Renamed elsewhere"; }));
  CHECK(Eventually([&] {
    return Column(admin.Call("GET", "/api/users?" + query), "displayName") ==
           std::vector<std::string>{"Renamed elsewhere"};
  }));

  // A new account changes every page's total.
  const std::string all = "_start=0&_end=5&_sort=createTime&_order=DESC";
  int64_t before = Total(admin, all);
  REQUIRE(Total(admin, all) == before);  // cached
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + admin.bearer);
    users::v1::CreateUserRequest create;
    create.mutable_user()->set_email("created-elsewhere@cache.example");
    users::v1::User created;
    grpc::Status status = UsersDirect(stack)->CreateUser(&context, create, &created);
    INFO(status.error_message());
    REQUIRE(status.ok());
  }
  CHECK(Eventually([&] { return Total(admin, all) == before + 1; }));
}

TEST_CASE("a change made through the BFF is visible in its next answer", "[users_cache]") {
  Stack& stack = CacheStack();
  Client admin = Admin(stack);
  std::string id = CreateUser(admin, "through-the-bff@cache.example");
  const std::string all = "_start=0&_end=5";
  REQUIRE(DisplayName(admin, id) == "Before");
  REQUIRE(DisplayName(admin, id) == "Before");
  int64_t before = Total(admin, all);
  REQUIRE(Total(admin, all) == before);

  // No waiting: the BFF drops what its own write touched before it answers.
  REQUIRE(admin.Call("PATCH", "/api/users/" + id, R"({"displayName":"Renamed here"})").status ==
          200);
  CHECK(DisplayName(admin, id) == "Renamed here");
  CreateUser(admin, "through-the-bff-2@cache.example");
  CHECK(Total(admin, all) == before + 1);
  REQUIRE(admin.Call("DELETE", "/api/users/" + id).status == 200);
  TestResponse deleted = admin.Call("GET", "/api/users/" + id);  // GetUser shows deleted ones
  CHECK(deleted.status == 200);
  CHECK(Str(Json(deleted), "status") == "deleted");
  CHECK(Total(admin, all) == before);
}

TEST_CASE("/api/me shows the caller's account as it is now", "[users_cache]") {
  Stack& stack = CacheStack();
  Client admin = Admin(stack);
  auto my_name = [&] {
    TestResponse me = admin.Call("GET", "/api/me");
    REQUIRE(me.status == 200);
    return Str(Json(me).at("user"), "displayName");
  };
  my_name();
  RenameDirectly(stack, admin.bearer, stack.admin_id(), "Admin renamed elsewhere");
  CHECK(Eventually([&] { return my_name() == "Admin renamed elsewhere"; }));
}

TEST_CASE("a users service that hangs without closing its connection ends the watch",
          "[users_cache]") {
  Stack& stack = CacheStack();
  Client admin = Admin(stack);
  std::string id = CreateUser(admin, "frozen@cache.example");
  REQUIRE(DisplayName(admin, id) == "Before");
  REQUIRE(DisplayName(admin, id) == "Before");  // cached
  // The stream carries no data while nothing changes: only the keepalive pings (every 1 s here)
  // can tell that the other side stopped answering.
  stack.FreezeUsers();
  bool noticed = Eventually([&] { return Metric(admin, "bff_users_watch_live") == 0; });
  TestResponse got = admin.Call("GET", "/api/users/" + id);
  stack.ThawUsers();
  CHECK(noticed);
  INFO(got.body);
  CHECK(got.status >= 500);  // asked (and timed out), not answered from the cache
  REQUIRE(Eventually([&] { return Metric(admin, "bff_users_watch_live") == 1; }));
  CHECK(DisplayName(admin, id) == "Before");
}

// Last: it stops the users service.
TEST_CASE("nothing is answered from the cache while the watch is down", "[users_cache]") {
  Stack& stack = CacheStack();
  Client admin = Admin(stack);
  std::string id = CreateUser(admin, "watch-down@cache.example");
  REQUIRE(DisplayName(admin, id) == "Before");
  REQUIRE(DisplayName(admin, id) == "Before");  // cached
  stack.StopUsers();
  REQUIRE(Eventually([&] { return Metric(admin, "bff_users_watch_live") == 0; }));
  // The record was cached, but without the watch a change could go unheard: ask (and fail).
  TestResponse got = admin.Call("GET", "/api/users/" + id);
  INFO(got.body);
  CHECK(got.status == 503);
  CHECK(admin.Call("GET", "/api/users?_start=0&_end=5").status == 503);
}

}  // namespace backoffice::bff::it
