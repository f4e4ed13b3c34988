#include "services/roles/access_control.h"

#include <catch2/catch.hpp>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/time/clock.h"
#include "libs/errors/error_details.h"
#include "services/roles/store/store_fixture.h"

namespace backoffice::roles {
namespace {

using testing::AdminActor;
using testing::NewId;

// The users service as a set of known ids and a set of inactive (deleted or disabled) ones;
// records the forwarded authorization and counts ActiveUsers calls; `unavailable` makes
// ActiveUsers fail as a dead users service does.
class FakeDirectory final : public UserDirectory {
 public:
  absl::Status CheckUserExists(std::string_view user_id, std::string_view authorization) override {
    last_authorization = std::string(authorization);
    if (known.contains(std::string(user_id))) return absl::OkStatus();
    return absl::NotFoundError("user_id: no user");
  }
  absl::StatusOr<std::vector<std::string>> ActiveUsers(const std::vector<std::string>& user_ids,
                                                       std::string_view authorization) override {
    last_authorization = std::string(authorization);
    ++active_calls;
    if (unavailable) return absl::UnavailableError("users service unavailable; retry later");
    std::vector<std::string> active;
    for (const std::string& id : user_ids) {
      if (known.contains(id) && !inactive.contains(id)) active.push_back(id);
    }
    return active;
  }
  absl::flat_hash_set<std::string> known;
  absl::flat_hash_set<std::string> inactive;
  bool unavailable = false;
  int active_calls = 0;
  std::string last_authorization;
};

struct Fixture {
  testing::StoreFixture store;
  PermissionCache cache;
  FakeDirectory users;
  AccessControl access{
      {.roles = store.roles(), .grants = store.grants(), .cache = cache, .users = users}};

  auth::Caller UserWith(const std::string& role_id) {
    std::string id = NewId();
    users.known.insert(id);
    store.MakeGrant(id, role_id);
    return auth::Caller{.kind = auth::Caller::Kind::kUser, .id = id};
  }
};

TEST_CASE("check answers from the cache and sees local changes at once") {
  Fixture f;
  auth::Caller admin = f.UserWith(kAdminRoleId);
  std::string user = NewId();
  f.users.known.insert(user);
  CHECK_FALSE(f.access.Check(user, "audit:read")->allowed);
  REQUIRE(
      f.access
          .GrantRole(admin, "Bearer t", {.user_id = user, .role_id = kViewerRoleId}, AdminActor())
          .ok());
  CHECK(f.users.last_authorization == "Bearer t");
  absl::StatusOr<CheckResult> allowed = f.access.Check(user, "audit:read");
  REQUIRE(allowed.ok());
  CHECK(allowed->allowed);
  CHECK(allowed->matched_role_id == kViewerRoleId);
  CHECK_FALSE(f.access.Check(user, "audit:export")->allowed);
  CHECK_FALSE(f.access.Check(user, "nobody:knows")->allowed);
  CHECK(f.access.Check(user, "audit.read").status().code() == absl::StatusCode::kInvalidArgument);
  REQUIRE(f.access.RevokeRole(user, kViewerRoleId, "", AdminActor(), "Bearer t").ok());
  CHECK_FALSE(f.access.Check(user, "audit:read")->allowed);
}

TEST_CASE("an id spelled in upper case shares the user's cache entry, so a revoke reaches it") {
  Fixture f;
  std::string user = NewId();
  std::string shouted = absl::AsciiStrToUpper(user);
  REQUIRE(shouted != user);
  f.users.known.insert(user);
  f.store.MakeGrant(user, kViewerRoleId);
  REQUIRE(f.access.Check(shouted, "audit:read")->allowed);  // cached, by the canonical id
  REQUIRE(f.access.RevokeRole(user, kViewerRoleId, "", AdminActor(), "Bearer t").ok());
  CHECK_FALSE(f.access.Check(shouted, "audit:read")->allowed);
  CHECK(f.cache.size() == 1);
  CHECK(f.access.Check("not-an-id", "audit:read").status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("a caller cannot grant a role carrying permissions they lack") {
  Fixture f;
  Role granter = f.store.MakeRole("granter", {"roles:grant", "users:read"});
  Role big = f.store.MakeRole("big", {"users:delete"}, {kViewerRoleId});
  Role small = f.store.MakeRole("small", {"users:read"});
  auth::Caller caller = f.UserWith(granter.id);
  std::string target = NewId();
  f.users.known.insert(target);
  absl::StatusOr<GrantResult> refused =
      f.access.GrantRole(caller, "", {.user_id = target, .role_id = big.id}, AdminActor());
  CHECK(refused.status().code() == absl::StatusCode::kPermissionDenied);
  CHECK(errors::ErrorReasonOf(refused.status()) == "ESCALATION");
  CHECK(std::string(refused.status().message()).find("audit:read") != std::string::npos);
  CHECK(std::string(refused.status().message()).find("users:delete") != std::string::npos);
  CHECK(
      f.access.GrantRole(caller, "", {.user_id = target, .role_id = small.id}, AdminActor()).ok());
  CHECK(f.store.Count("SELECT count(*) FROM grants WHERE user_id = $1", {target}) == 1);

  // Nor build a role that carries them.
  CHECK(f.access.CreateRole(caller, {.name = "sneaky", .parent_ids = {big.id}}, AdminActor())
            .status()
            .code() == absl::StatusCode::kPermissionDenied);
  CHECK(f.access
            .UpdateRole(caller,
                        {.id = small.id,
                         .fields = {.permissions = {"users:read", "keys:rotate"}},
                         .update_mask = {"permissions"}},
                        AdminActor())
            .status()
            .code() == absl::StatusCode::kPermissionDenied);
  // An unknown name is the store's INVALID_ARGUMENT, not an escalation.
  CHECK(f.access.CreateRole(caller, {.name = "typo", .permissions = {"users:reed"}}, AdminActor())
            .status()
            .code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("granting to a user the users service does not know is NOT_FOUND and writes nothing") {
  Fixture f;
  auth::Caller admin = f.UserWith(kAdminRoleId);
  absl::StatusOr<GrantResult> ghost =
      f.access.GrantRole(admin, "", {.user_id = NewId(), .role_id = kViewerRoleId}, AdminActor());
  CHECK(ghost.status().code() == absl::StatusCode::kNotFound);
  CHECK(f.access.GrantRole(admin, "", {.user_id = NewId(), .role_id = NewId()}, AdminActor())
            .status()
            .code() == absl::StatusCode::kNotFound);
  CHECK(f.store.Count("SELECT count(*) FROM grants") == 1);
}

TEST_CASE("require: permission, self, and service accounts") {
  Fixture f;
  auth::Caller viewer = f.UserWith(kViewerRoleId);
  CHECK(f.access.Require(viewer, kPermRolesRead).ok());
  absl::Status denied = f.access.Require(viewer, kPermRolesGrant);
  CHECK(denied.code() == absl::StatusCode::kPermissionDenied);
  CHECK(std::string(denied.message()) == "this call needs permission roles:grant");
  auth::Caller nobody{.kind = auth::Caller::Kind::kUser, .id = NewId()};
  CHECK(f.access.RequireSelfOr(nobody, nobody.id, kPermRolesRead).ok());
  CHECK(f.access.RequireSelfOr(nobody, viewer.id, kPermRolesRead).code() ==
        absl::StatusCode::kPermissionDenied);
  auth::Caller service{.kind = auth::Caller::Kind::kService, .id = "service:audit"};
  CHECK(f.access.Require(service, kPermRolesRead).code() == absl::StatusCode::kPermissionDenied);
}

TEST_CASE("an external principal holds its token's claim, never grants, and has no self") {
  Fixture f;
  Role small = f.store.MakeRole("small", {"users:read"});
  Role big = f.store.MakeRole("big", {"users:delete"}, {kViewerRoleId});
  // Its subject is a user who holds viewer here: that must not lend it anything.
  auth::Caller viewer = f.UserWith(kViewerRoleId);
  auth::Caller external{.kind = auth::Caller::Kind::kExternal,
                        .id = "https://idp.example#" + viewer.id,
                        .issuer = "https://idp.example",
                        .permissions = {"roles:grant", "users:read"}};
  CHECK(f.access.Require(external, kPermRolesGrant).ok());
  absl::Status denied = f.access.Require(external, kPermRolesRead);
  CHECK(denied.code() == absl::StatusCode::kPermissionDenied);
  CHECK(std::string(denied.message()) == "this call needs permission roles:read");
  CHECK(f.access.RequireSelfOr(external, viewer.id, kPermRolesRead).code() ==
        absl::StatusCode::kPermissionDenied);
  CHECK(f.cache.size() == 0);  // the roles store was never asked about it

  std::string target = NewId();
  f.users.known.insert(target);
  CHECK(
      f.access
          .GrantRole(external, "Bearer ext", {.user_id = target, .role_id = small.id}, AdminActor())
          .ok());
  CHECK(f.users.last_authorization == "Bearer ext");
  absl::StatusOr<GrantResult> escalation =
      f.access.GrantRole(external, "", {.user_id = target, .role_id = big.id}, AdminActor());
  CHECK(errors::ErrorReasonOf(escalation.status()) == "ESCALATION");
  CHECK(std::string(escalation.status().message()).find("users:delete") != std::string::npos);

  auth::Caller everything{.kind = auth::Caller::Kind::kExternal,
                          .id = "https://idp.example#root",
                          .permissions = {"*"}};
  CHECK(f.access.Require(everything, kPermRolesWrite).ok());
  CHECK(f.access.GrantRole(everything, "", {.user_id = target, .role_id = big.id}, AdminActor())
            .ok());
}

TEST_CASE("a role change drops every cached answer on this replica") {
  Fixture f;
  Role role = f.store.MakeRole("shifting", {"audit:read"});
  auth::Caller admin = f.UserWith(kAdminRoleId);
  auth::Caller holder = f.UserWith(role.id);
  CHECK(f.access.Check(holder.id, "audit:read")->allowed);
  REQUIRE(f.access
              .UpdateRole(admin,
                          {.id = role.id,
                           .fields = {.permissions = {"audit:export"}},
                           .update_mask = {"permissions"}},
                          AdminActor())
              .ok());
  CHECK_FALSE(f.access.Check(holder.id, "audit:read")->allowed);
  CHECK(f.access.Check(holder.id, "audit:export")->allowed);
  REQUIRE(f.access.DeleteRole(role.id, std::nullopt, true, AdminActor()).ok());
  CHECK_FALSE(f.access.Check(holder.id, "audit:export")->allowed);
}

TEST_CASE("the last-admin guard counts only admins the users service reports active") {
  Fixture f;
  auth::Caller a = f.UserWith(kAdminRoleId);
  auth::Caller b = f.UserWith(kAdminRoleId);
  auto admin_grants = [&] {
    return f.store.Count("SELECT count(*) FROM grants WHERE role_id = $1", {kAdminRoleId});
  };

  SECTION("another active admin: the revoke goes through, asked with the caller's token") {
    REQUIRE(f.access.RevokeRole(a.id, kAdminRoleId, "", AdminActor(), "Bearer a").ok());
    CHECK(f.users.active_calls == 1);
    CHECK(f.users.last_authorization == "Bearer a");
    CHECK(admin_grants() == 1);
    CHECK_FALSE(f.access.Check(a.id, "roles:grant")->allowed);
  }
  SECTION("the only other admin deleted or disabled: LAST_ADMIN, the grant stays") {
    f.users.inactive.insert(b.id);
    absl::Status last = f.access.RevokeRole(a.id, kAdminRoleId, "", AdminActor(), "Bearer a");
    CHECK(last.code() == absl::StatusCode::kFailedPrecondition);
    CHECK(errors::ErrorReasonOf(last) == "LAST_ADMIN");
    CHECK(admin_grants() == 2);
    CHECK(f.access.Check(a.id, "roles:grant")->allowed);
    // The inactive admin's own grant may go: an active admin remains.
    CHECK(f.access.RevokeRole(b.id, kAdminRoleId, "", AdminActor(), "Bearer a").ok());
    CHECK(admin_grants() == 1);
  }
  SECTION("a third, active admin counts even when one is inactive") {
    f.UserWith(kAdminRoleId);
    f.users.inactive.insert(b.id);
    CHECK(f.access.RevokeRole(a.id, kAdminRoleId, "", AdminActor(), "Bearer a").ok());
    CHECK(admin_grants() == 2);
  }
  SECTION("the users service cannot answer: the revoke is refused, not made unchecked") {
    f.users.unavailable = true;
    absl::Status refused = f.access.RevokeRole(a.id, kAdminRoleId, "", AdminActor(), "Bearer a");
    CHECK(refused.code() == absl::StatusCode::kUnavailable);
    CHECK(admin_grants() == 2);
  }
  SECTION("revokes of other roles never ask the users service, even when it is down") {
    f.users.unavailable = true;
    f.store.MakeGrant(a.id, kViewerRoleId);
    CHECK(f.access.RevokeRole(a.id, kViewerRoleId, "", AdminActor(), "Bearer a").ok());
    CHECK(f.access.RevokeRole(a.id, kViewerRoleId, "", AdminActor(), "Bearer a").code() ==
          absl::StatusCode::kNotFound);
    CHECK(f.users.active_calls == 0);
  }
  SECTION("giving the last active admin's grant an expiry is refused as a revoke would be") {
    f.users.inactive.insert(b.id);
    GrantRequest shorten{
        .user_id = a.id, .role_id = kAdminRoleId, .expire_time = absl::Now() + absl::Hours(1)};
    absl::StatusOr<GrantResult> refused = f.access.GrantRole(a, "Bearer a", shorten, AdminActor());
    CHECK(refused.status().code() == absl::StatusCode::kFailedPrecondition);
    CHECK(errors::ErrorReasonOf(refused.status()) == "LAST_ADMIN");
    CHECK(f.store.Count("SELECT count(*) FROM grants WHERE role_id = $1 AND expires_at IS NULL",
                        {kAdminRoleId}) == 2);
    f.users.inactive.clear();
    CHECK(f.access.GrantRole(a, "Bearer a", shorten, AdminActor()).ok());
    // Non-admin grants with an expiry never ask.
    int calls = f.users.active_calls;
    CHECK(f.access
              .GrantRole(a, "Bearer a",
                         {.user_id = b.id,
                          .role_id = kViewerRoleId,
                          .expire_time = absl::Now() + absl::Hours(1)},
                         AdminActor())
              .ok());
    CHECK(f.users.active_calls == calls);
  }
}

}  // namespace
}  // namespace backoffice::roles
