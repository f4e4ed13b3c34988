#include <catch2/catch.hpp>
#include <thread>

#include "absl/time/clock.h"
#include "libs/errors/error_details.h"
#include "services/roles/store/store_fixture.h"

namespace backoffice::roles {
namespace {

using testing::AdminActor;
using testing::NewId;
using testing::StoreFixture;

TEST_CASE("effective permissions resolve a deep chain and a diamond once") {
  StoreFixture f;
  // A chain of six roles, each adding one permission: holding the bottom one gives all six.
  std::vector<std::string> perms = {"users:read", "users:write",  "users:delete",
                                    "audit:read", "audit:export", "sessions:revoke"};
  std::vector<Role> chain;
  for (size_t i = 0; i < perms.size(); ++i) {
    std::vector<std::string> parents;
    if (!chain.empty()) parents.push_back(chain.back().id);
    chain.push_back(f.MakeRole("chain" + std::to_string(i), {perms[i]}, parents));
  }
  std::string user = NewId();
  f.MakeGrant(user, chain.back().id);
  absl::StatusOr<EffectivePermissions> deep = f.grants().Effective(user);
  REQUIRE(deep.ok());
  CHECK(deep->permissions.size() == 6);
  CHECK(deep->role_ids.size() == 6);
  CHECK(deep->Has("users:read"));
  CHECK(deep->carried_by.at("users:read") == chain.front().id);
  CHECK_FALSE(deep->valid_until.has_value());

  // Diamond: bottom inherits left and right, both inherit top.
  Role top = f.MakeRole("top", {"roles:read"});
  Role left = f.MakeRole("left", {"audit:read"}, {top.id});
  Role right = f.MakeRole("right", {"integrations:read"}, {top.id});
  Role bottom = f.MakeRole("bottom", {}, {left.id, right.id});
  std::string other = NewId();
  f.MakeGrant(other, bottom.id);
  absl::StatusOr<EffectivePermissions> diamond = f.grants().Effective(other);
  REQUIRE(diamond.ok());
  CHECK(diamond->permissions ==
        std::vector<std::string>{"audit:read", "integrations:read", "roles:read"});
  CHECK(diamond->role_ids.size() == 4);

  // A change in the middle of the chain reaches the holder of the bottom.
  REQUIRE(
      f.roles()
          .Update(
              {.id = chain[2].id, .fields = {.parent_ids = {}}, .update_mask = {"parent_role_ids"}},
              AdminActor())
          .ok());
  CHECK(f.grants().Effective(user)->permissions.size() == 4);
  CHECK(f.grants().Effective(NewId())->permissions.empty());
}

TEST_CASE("expired grants count for nothing; valid_until is the earliest expiry") {
  StoreFixture f;
  Role role = f.MakeRole("temp", {"audit:read"});
  std::string user = NewId();
  absl::Time soon = absl::Now() + absl::Hours(1);
  absl::StatusOr<GrantResult> grant = f.grants().GrantRole(
      {.user_id = user, .role_id = role.id, .expire_time = soon, .reason = "on call"},
      AdminActor());
  REQUIRE(grant.ok());
  CHECK(grant->created);
  absl::StatusOr<EffectivePermissions> now = f.grants().Effective(user);
  REQUIRE(now.ok());
  CHECK(now->Has("audit:read"));
  REQUIRE(now->valid_until.has_value());
  CHECK(absl::AbsDuration(*now->valid_until - soon) < absl::Milliseconds(1));

  f.Query("UPDATE grants SET expires_at = now() - interval '1 second' WHERE user_id = $1", {user});
  CHECK(f.grants().Effective(user)->permissions.empty());
  CHECK(f.grants().ListUserGrants(user, false)->empty());
  REQUIRE(f.grants().ListUserGrants(user, true)->size() == 1);
  CHECK(f.grants().ListUserGrants(user, true)->at(0).expired);

  CHECK(
      f.grants()
          .GrantRole(
              {.user_id = user, .role_id = role.id, .expire_time = absl::Now() - absl::Seconds(1)},
              AdminActor())
          .status()
          .code() == absl::StatusCode::kInvalidArgument);
  absl::StatusOr<GrantResult> again =
      f.grants().GrantRole({.user_id = user, .role_id = role.id}, AdminActor());
  REQUIRE(again.ok());
  CHECK_FALSE(again->created);
  CHECK(f.grants().Effective(user)->Has("audit:read"));
}

TEST_CASE("grant and revoke validate and write events") {
  StoreFixture f;
  Role role = f.MakeRole("ops", {"users:read"});
  std::string user = NewId();
  CHECK(f.grants().GrantRole({.user_id = user, .role_id = NewId()}, AdminActor()).status().code() ==
        absl::StatusCode::kNotFound);
  CHECK(
      f.grants().GrantRole({.user_id = "bob", .role_id = role.id}, AdminActor()).status().code() ==
      absl::StatusCode::kInvalidArgument);
  f.MakeGrant(user, role.id);
  CHECK(f.grants().RevokeRole(user, role.id, "done", AdminActor()).ok());
  CHECK(f.grants().RevokeRole(user, role.id, "again", AdminActor()).code() ==
        absl::StatusCode::kNotFound);
  CHECK(f.EventTypes() == std::vector<std::string>{"role.created", "grant.added", "grant.revoked"});
}

TEST_CASE("the last admin grant cannot be revoked, even by two revocations at once") {
  StoreFixture f;
  std::string first = NewId();
  REQUIRE(f.grants().BootstrapAdmin(first, Actor{}).value());
  CHECK_FALSE(f.grants().BootstrapAdmin(NewId(), Actor{}).value());
  absl::Status last = f.grants().RevokeRole(first, kAdminRoleId, "", AdminActor());
  CHECK(last.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(errors::ErrorReasonOf(last) == "LAST_ADMIN");

  for (int round = 0; round < 5; ++round) {
    std::string second = NewId();
    f.MakeGrant(second, kAdminRoleId);
    absl::Status a, b;
    std::thread t1(
        [&] { a = f.grants().RevokeRole(first, kAdminRoleId, "", AdminActor(), {second}); });
    std::thread t2(
        [&] { b = f.grants().RevokeRole(second, kAdminRoleId, "", AdminActor(), {first}); });
    t1.join();
    t2.join();
    CHECK(a.ok() != b.ok());
    CHECK(f.Count("SELECT count(*) FROM grants WHERE role_id = $1", {kAdminRoleId}) == 1);
    if (a.ok()) first = second;  // the remaining admin
  }
}

TEST_CASE("the last-admin check counts only the other holders named active") {
  StoreFixture f;
  std::string a = NewId();
  std::string b = NewId();
  f.MakeGrant(a, kAdminRoleId);
  f.MakeGrant(b, kAdminRoleId);
  CHECK(f.grants().ListOtherActiveHolders(kAdminRoleId, a).value() == std::vector<std::string>{b});
  // b not named active (deleted or disabled in the users service), or nobody named: refused.
  for (const std::vector<std::string>& named :
       {std::vector<std::string>{}, std::vector<std::string>{a}}) {
    absl::Status last = f.grants().RevokeRole(a, kAdminRoleId, "", AdminActor(), named);
    CHECK(last.code() == absl::StatusCode::kFailedPrecondition);
    CHECK(errors::ErrorReasonOf(last) == "LAST_ADMIN");
  }
  // Shortening a's grant is refused the same way; lengthening an expiring one is not checked.
  absl::Time soon = absl::Now() + absl::Hours(1);
  absl::StatusOr<GrantResult> shorter = f.grants().GrantRole(
      {.user_id = a, .role_id = kAdminRoleId, .expire_time = soon}, AdminActor(), {});
  CHECK(errors::ErrorReasonOf(shorter.status()) == "LAST_ADMIN");
  CHECK(f.Count("SELECT count(*) FROM grants WHERE role_id = $1 AND expires_at IS NULL",
                {kAdminRoleId}) == 2);
  REQUIRE(f.grants()
              .GrantRole({.user_id = a, .role_id = kAdminRoleId, .expire_time = soon}, AdminActor(),
                         {b})
              .ok());
  CHECK(
      f.grants()
          .GrantRole({.user_id = a, .role_id = kAdminRoleId, .expire_time = soon + absl::Hours(1)},
                     AdminActor(), {})
          .ok());
  // An expired grant of b counts for nothing even when named.
  f.Query("UPDATE grants SET expires_at = now() - interval '1 second' WHERE user_id = $1", {b});
  CHECK(f.grants().RevokeRole(a, kAdminRoleId, "", AdminActor(), {b}).code() ==
        absl::StatusCode::kFailedPrecondition);
  f.Query("UPDATE grants SET expires_at = NULL WHERE user_id = $1", {b});
  CHECK(f.grants().RevokeRole(a, kAdminRoleId, "", AdminActor(), {b}).ok());
  CHECK(f.Count("SELECT count(*) FROM grants WHERE role_id = $1", {kAdminRoleId}) == 1);
}

TEST_CASE("concurrent grants and revokes of one role leave a consistent state") {
  StoreFixture f(8);
  Role role = f.MakeRole("flappy", {"users:read"});
  std::string user = NewId();
  std::vector<std::thread> threads;
  std::atomic<int> granted{0}, revoked{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        if ((i + t) % 2 == 0) {
          if (f.grants().GrantRole({.user_id = user, .role_id = role.id}, AdminActor()).ok()) {
            ++granted;
          }
        } else {
          absl::Status s = f.grants().RevokeRole(user, role.id, "", AdminActor());
          CHECK((s.ok() || s.code() == absl::StatusCode::kNotFound));
          if (s.ok()) ++revoked;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(granted == 40);
  int64_t held = f.Count("SELECT count(*) FROM grants WHERE user_id = $1", {user});
  CHECK(held == (f.grants().Effective(user)->Has("users:read") ? 1 : 0));
  CHECK(f.Count("SELECT count(*) FROM outbox WHERE event_type = 'grant.revoked'") == revoked);
}

TEST_CASE("members page by grant time with totals, inherited on request") {
  StoreFixture f;
  Role parent = f.MakeRole("parent", {"users:read"});
  Role child = f.MakeRole("child", {}, {parent.id});
  std::vector<std::string> users;
  for (int i = 0; i < 5; ++i) {
    users.push_back(NewId());
    f.MakeGrant(users.back(), parent.id);
  }
  f.MakeGrant(NewId(), child.id);
  ListMembersRequest request{.role_id = parent.id, .page_size = 2};
  std::vector<std::string> seen;
  for (int page = 0; page < 5; ++page) {
    absl::StatusOr<MemberPage> result = f.grants().ListMembers(request);
    REQUIRE(result.ok());
    CHECK(result->total_size == 5);
    for (const Grant& grant : result->grants) seen.push_back(grant.user_id);
    if (result->next_page_token.empty()) break;
    request.page_token = result->next_page_token;
  }
  std::vector<std::string> newest_first(users.rbegin(), users.rend());
  CHECK(seen == newest_first);
  absl::StatusOr<MemberPage> inherited =
      f.grants().ListMembers({.role_id = parent.id, .include_inherited = true});
  REQUIRE(inherited.ok());
  CHECK(inherited->total_size == 6);
  CHECK(f.grants().ListMembers({.role_id = NewId()}).status().code() ==
        absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace backoffice::roles
