// The roles service's rules end to end: real users and roles binaries, real tokens.
#include <catch2/catch.hpp>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/authz/invalidating_cache.h"
#include "libs/authz/permission_watcher.h"
#include "services/roles/it/roles_stack.h"
#include "tests/support/watch_stream.h"

namespace backoffice::roles::it {
namespace {

constexpr char kAdminRoleId[] = "01900000-0000-7000-8000-000000000001";
constexpr char kViewerRoleId[] = "01900000-0000-7000-8000-000000000003";

// Calls `method` on `stub` as `token`; returns the status.
template <typename Request, typename Response, typename Method>
grpc::Status Call(v1::RolesService::Stub& stub, Method method, const std::string& token,
                  const Request& request, Response* response) {
  grpc::ClientContext context;
  RolesStack::Authorize(context, token);
  return (stub.*method)(&context, request, response);
}

v1::Role CreateRole(const std::string& name, std::vector<std::string> permissions,
                    std::vector<std::string> parents = {}) {
  RolesStack& stack = RolesStack::Shared();
  v1::CreateRoleRequest request;
  request.mutable_role()->set_name(absl::StrCat(name, "-", absl::ToUnixMicros(absl::Now())));
  for (const std::string& p : permissions) request.mutable_role()->add_permissions(p);
  for (const std::string& p : parents) request.mutable_role()->add_parent_role_ids(p);
  v1::Role role;
  grpc::Status status = Call(stack.replica(0), &v1::RolesService::Stub::CreateRole,
                             stack.admin_token(), request, &role);
  INFO(status.error_message());
  REQUIRE(status.ok());
  return role;
}

grpc::Status Grant(int replica, const std::string& token, const std::string& user,
                   const std::string& role) {
  v1::GrantRoleRequest request;
  request.set_user_id(user);
  request.set_role_id(role);
  v1::RoleGrant grant;
  return Call(RolesStack::Shared().replica(replica), &v1::RolesService::Stub::GrantRole, token,
              request, &grant);
}

grpc::Status Revoke(int replica, const std::string& token, const std::string& user,
                    const std::string& role) {
  v1::RevokeRoleRequest request;
  request.set_user_id(user);
  request.set_role_id(role);
  google::protobuf::Empty empty;
  return Call(RolesStack::Shared().replica(replica), &v1::RolesService::Stub::RevokeRole, token,
              request, &empty);
}

// Whether `user` holds `permission`, asked of `replica` with the user's own token.
bool Allowed(int replica, const TestUser& user, const std::string& permission) {
  v1::CheckPermissionRequest request;
  request.set_permission(permission);
  v1::CheckPermissionResponse response;
  grpc::Status status =
      Call(RolesStack::Shared().replica(replica), &v1::RolesService::Stub::CheckPermission,
           user.token, request, &response);
  INFO(status.error_message());
  REQUIRE(status.ok());
  return response.allowed();
}

// Polls until `condition` holds; the bound only stops a broken test from hanging.
template <typename F>
bool Eventually(F condition) {
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (absl::Now() < deadline) {
    if (condition()) return true;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return condition();
}

TEST_CASE("callers are authenticated and need the call's permission") {
  RolesStack& stack = RolesStack::Shared();
  v1::ListRolesRequest list;
  v1::ListRolesResponse roles;
  CHECK(Call(stack.replica(0), &v1::RolesService::Stub::ListRoles, "", list, &roles).error_code() ==
        grpc::StatusCode::UNAUTHENTICATED);
  CHECK(Call(stack.replica(0), &v1::RolesService::Stub::ListRoles, "not-a-jwt", list, &roles)
            .error_code() == grpc::StatusCode::UNAUTHENTICATED);
  REQUIRE(
      Call(stack.replica(1), &v1::RolesService::Stub::ListRoles, stack.admin_token(), list, &roles)
          .ok());
  CHECK(roles.page_info().total_size() >= 3);

  TestUser nobody = stack.CreateUser("nobody");
  grpc::Status denied =
      Call(stack.replica(0), &v1::RolesService::Stub::ListRoles, nobody.token, list, &roles);
  CHECK(denied.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK(denied.error_message() == "this call needs permission roles:read");
  // Checking oneself needs no permission; checking someone else does.
  CHECK_FALSE(Allowed(0, nobody, "users:read"));
  v1::CheckPermissionRequest other;
  other.set_user_id(stack.admin_id());
  other.set_permission("users:read");
  v1::CheckPermissionResponse answer;
  CHECK(
      Call(stack.replica(0), &v1::RolesService::Stub::CheckPermission, nobody.token, other, &answer)
          .error_code() == grpc::StatusCode::PERMISSION_DENIED);
  REQUIRE(Call(stack.replica(0), &v1::RolesService::Stub::CheckPermission, stack.admin_token(),
               other, &answer)
              .ok());
  CHECK(answer.allowed());
  CHECK(answer.matched_role_id() == kAdminRoleId);
}

TEST_CASE("deep chains and diamonds resolve; BatchCheck answers in order") {
  RolesStack& stack = RolesStack::Shared();
  std::vector<std::string> perms = {"users:read",   "users:write",   "audit:read",
                                    "audit:export", "sessions:read", "sessions:revoke"};
  std::vector<v1::Role> chain;
  for (size_t i = 0; i < perms.size(); ++i) {
    std::vector<std::string> parents;
    if (!chain.empty()) parents.push_back(chain.back().id());
    chain.push_back(CreateRole(absl::StrCat("chain", i), {perms[i]}, parents));
  }
  v1::Role top = CreateRole("top", {"integrations:read"});
  v1::Role left = CreateRole("left", {"notifications:read"}, {top.id()});
  v1::Role right = CreateRole("right", {"notifications:send"}, {top.id()});
  v1::Role bottom = CreateRole("bottom", {}, {left.id(), right.id(), chain.back().id()});
  TestUser user = stack.CreateUser("deep");
  REQUIRE(Grant(0, stack.admin_token(), user.id, bottom.id()).ok());

  v1::BatchCheckPermissionsRequest batch;
  for (const char* p : {"users:read", "sessions:revoke", "integrations:read", "notifications:send",
                        "roles:write"}) {
    batch.add_checks()->set_permission(p);
  }
  v1::BatchCheckPermissionsResponse answers;
  REQUIRE(Call(stack.replica(1), &v1::RolesService::Stub::BatchCheckPermissions, user.token, batch,
               &answers)
              .ok());
  REQUIRE(answers.results_size() == 5);
  CHECK(answers.results(0).allowed());
  CHECK(answers.results(0).matched_role_id() == chain.front().id());
  CHECK(answers.results(1).allowed());
  CHECK(answers.results(2).allowed());
  CHECK(answers.results(3).allowed());
  CHECK_FALSE(answers.results(4).allowed());

  v1::GetEffectivePermissionsRequest request;
  request.set_user_id(user.id);
  v1::GetEffectivePermissionsResponse effective;
  REQUIRE(Call(stack.replica(0), &v1::RolesService::Stub::GetEffectivePermissions, user.token,
               request, &effective)
              .ok());
  CHECK(effective.permissions_size() == 9);
  CHECK(effective.role_ids_size() == 10);
}

TEST_CASE("a CreateRole retried on the other replica with its request_id answers the first role") {
  RolesStack& stack = RolesStack::Shared();
  v1::CreateRoleRequest request;
  request.mutable_role()->set_name(absl::StrCat("idem-", absl::ToUnixMicros(absl::Now())));
  request.mutable_role()->add_permissions("users:read");
  request.set_request_id(absl::StrCat("it-key-", absl::ToUnixMicros(absl::Now())));
  v1::Role first;
  grpc::Status created = Call(stack.replica(0), &v1::RolesService::Stub::CreateRole,
                              stack.admin_token(), request, &first);
  INFO(created.error_message());
  REQUIRE(created.ok());
  v1::Role retried;
  grpc::Status again = Call(stack.replica(1), &v1::RolesService::Stub::CreateRole,
                            stack.admin_token(), request, &retried);
  INFO(again.error_message());
  REQUIRE(again.ok());
  CHECK(retried.id() == first.id());
  CHECK(retried.etag() == first.etag());

  v1::CreateRoleRequest other = request;
  other.mutable_role()->add_permissions("users:write");
  v1::Role refused;
  grpc::Status clash = Call(stack.replica(1), &v1::RolesService::Stub::CreateRole,
                            stack.admin_token(), other, &refused);
  CHECK(clash.error_code() == grpc::StatusCode::ALREADY_EXISTS);
  CHECK(absl::StartsWith(clash.error_message(), "request_id:"));
  request.set_request_id(std::string(129, 'k'));
  grpc::Status too_long = Call(stack.replica(0), &v1::RolesService::Stub::CreateRole,
                               stack.admin_token(), request, &refused);
  CHECK(too_long.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(absl::StartsWith(too_long.error_message(), "request_id:"));
}

TEST_CASE("an edge that would close a cycle is refused naming the cycle") {
  RolesStack& stack = RolesStack::Shared();
  v1::Role c = CreateRole("cyc-c", {"users:read"});
  v1::Role b = CreateRole("cyc-b", {}, {c.id()});
  v1::Role a = CreateRole("cyc-a", {}, {b.id()});
  v1::UpdateRoleRequest update;
  update.mutable_role()->set_id(c.id());
  update.mutable_role()->add_parent_role_ids(a.id());
  update.mutable_update_mask()->add_paths("parent_role_ids");
  v1::Role out;
  grpc::Status status = Call(stack.replica(1), &v1::RolesService::Stub::UpdateRole,
                             stack.admin_token(), update, &out);
  CHECK(status.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  CHECK(absl::StrContains(status.error_message(), absl::StrCat(c.name(), " -> ", a.name(), " -> ",
                                                               b.name(), " -> ", c.name())));
}

TEST_CASE("the last admin grant cannot be revoked; escalation and unknown users are refused") {
  RolesStack& stack = RolesStack::Shared();
  grpc::Status last = Revoke(0, stack.admin_token(), stack.admin_id(), kAdminRoleId);
  CHECK(last.error_code() == grpc::StatusCode::FAILED_PRECONDITION);

  v1::Role granter = CreateRole("granter", {"roles:grant", "users:read"});
  TestUser deputy = stack.CreateUser("deputy");
  REQUIRE(Grant(0, stack.admin_token(), deputy.id, granter.id()).ok());
  TestUser target = stack.CreateUser("target");
  grpc::Status escalation = Grant(1, deputy.token, target.id, kAdminRoleId);
  CHECK(escalation.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK(absl::StrContains(escalation.error_message(), "roles:write"));
  CHECK(Grant(1, deputy.token, target.id, granter.id()).ok());

  grpc::Status ghost =
      Grant(0, stack.admin_token(), "01900000-0000-7000-8000-0000000000ff", kViewerRoleId);
  CHECK(ghost.error_code() == grpc::StatusCode::NOT_FOUND);
  v1::ListRoleMembersRequest members;
  members.set_role_id(kViewerRoleId);
  v1::ListRoleMembersResponse page;
  REQUIRE(Call(stack.replica(0), &v1::RolesService::Stub::ListRoleMembers, stack.admin_token(),
               members, &page)
              .ok());
  for (const v1::RoleGrant& grant : page.grants()) {
    CHECK(grant.user_id() != "01900000-0000-7000-8000-0000000000ff");
  }

  // With a second admin, the first can go; then the second is the last.
  REQUIRE(Grant(0, stack.admin_token(), target.id, kAdminRoleId).ok());
  CHECK(Eventually([&] { return Allowed(1, target, "roles:write"); }));
  REQUIRE(Revoke(1, target.token, stack.admin_id(), kAdminRoleId).ok());
  CHECK(Revoke(0, target.token, target.id, kAdminRoleId).error_code() ==
        grpc::StatusCode::FAILED_PRECONDITION);
  // Restore the bootstrap admin for the other tests.
  REQUIRE(Grant(0, target.token, stack.admin_id(), kAdminRoleId).ok());
}

// Calls a users-service method as `token`; returns the status.
template <typename Request, typename Method>
grpc::Status CallUsers(Method method, const std::string& token, const Request& request) {
  grpc::ClientContext context;
  RolesStack::Authorize(context, token);
  users::v1::User user;
  return (RolesStack::Shared().users().*method)(&context, request, &user);
}

TEST_CASE("a deleted or disabled admin does not count: the last active admin stays") {
  RolesStack& stack = RolesStack::Shared();
  // Only the bootstrap admin holds admin (earlier cases may have left others).
  v1::ListRoleMembersRequest members;
  members.set_role_id(kAdminRoleId);
  members.mutable_page()->set_page_size(100);
  v1::ListRoleMembersResponse page;
  REQUIRE(Call(stack.replica(0), &v1::RolesService::Stub::ListRoleMembers, stack.admin_token(),
               members, &page)
              .ok());
  for (const v1::RoleGrant& grant : page.grants()) {
    if (grant.user_id() != stack.admin_id()) {
      REQUIRE(Revoke(0, stack.admin_token(), grant.user_id(), kAdminRoleId).ok());
    }
  }
  TestUser b = stack.CreateUser("admin-b");
  REQUIRE(Grant(0, stack.admin_token(), b.id, kAdminRoleId).ok());
  TestUser admin{.id = stack.admin_id(), .token = stack.admin_token()};

  users::v1::DeleteUserRequest remove;
  remove.set_id(b.id);
  REQUIRE(CallUsers(&users::v1::UsersService::Stub::DeleteUser, stack.admin_token(), remove).ok());
  for (int replica : {0, 1}) {
    grpc::Status last = Revoke(replica, stack.admin_token(), stack.admin_id(), kAdminRoleId);
    CHECK(last.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
    CHECK(absl::StrContains(last.error_message(), "last admin grant"));
  }
  CHECK(Allowed(0, admin, "roles:grant"));

  users::v1::RestoreUserRequest restore;
  restore.set_id(b.id);
  REQUIRE(
      CallUsers(&users::v1::UsersService::Stub::RestoreUser, stack.admin_token(), restore).ok());
  users::v1::DisableUserRequest disable;
  disable.set_id(b.id);
  REQUIRE(
      CallUsers(&users::v1::UsersService::Stub::DisableUser, stack.admin_token(), disable).ok());
  CHECK(Revoke(1, stack.admin_token(), stack.admin_id(), kAdminRoleId).error_code() ==
        grpc::StatusCode::FAILED_PRECONDITION);
  CHECK(Allowed(1, admin, "roles:grant"));
  users::v1::EnableUserRequest enable;
  enable.set_id(b.id);
  REQUIRE(CallUsers(&users::v1::UsersService::Stub::EnableUser, stack.admin_token(), enable).ok());

  // B active again: the same revoke goes through; B then grants admin back and leaves.
  grpc::Status revoked = Revoke(0, stack.admin_token(), stack.admin_id(), kAdminRoleId);
  INFO(revoked.error_message());
  REQUIRE(revoked.ok());
  CHECK(Eventually([&] { return !Allowed(1, admin, "roles:grant"); }));
  grpc::Status back = Grant(0, stack.Login(b.email), stack.admin_id(), kAdminRoleId);
  INFO(back.error_message());
  REQUIRE(back.ok());
  CHECK(Eventually([&] { return Allowed(1, admin, "roles:grant"); }));
  REQUIRE(Revoke(0, stack.admin_token(), b.id, kAdminRoleId).ok());
}

TEST_CASE("a grant through replica A is seen by replica B at once; so is a revoke") {
  RolesStack& stack = RolesStack::Shared();
  v1::Role role = CreateRole("replicated", {"audit:export"});
  TestUser user = stack.CreateUser("replicated");
  for (int round = 0; round < 3; ++round) {
    CHECK_FALSE(Allowed(1, user, "audit:export"));  // B caches the denial
    REQUIRE(Grant(0, stack.admin_token(), user.id, role.id()).ok());
    CHECK(Allowed(0, user, "audit:export"));  // A dropped its entry at commit
    CHECK(Eventually([&] { return Allowed(1, user, "audit:export"); }));
    REQUIRE(Revoke(0, stack.admin_token(), user.id, role.id()).ok());
    CHECK(Eventually([&] { return !Allowed(1, user, "audit:export"); }));
  }
  // A role change (not a grant) reaches B's cached holders too.
  REQUIRE(Grant(1, stack.admin_token(), user.id, role.id()).ok());
  CHECK(Eventually([&] { return Allowed(1, user, "audit:export"); }));
  v1::UpdateRoleRequest update;
  update.mutable_role()->set_id(role.id());
  update.mutable_role()->add_permissions("audit:read");
  update.mutable_update_mask()->add_paths("permissions");
  v1::Role out;
  REQUIRE(
      Call(stack.replica(0), &v1::RolesService::Stub::UpdateRole, stack.admin_token(), update, &out)
          .ok());
  CHECK(Eventually([&] { return !Allowed(1, user, "audit:export"); }));
  CHECK(Allowed(1, user, "audit:read"));
}

TEST_CASE("concurrent grants and revokes on both replicas end with both agreeing") {
  RolesStack& stack = RolesStack::Shared();
  v1::Role role = CreateRole("contended", {"integrations:write"});
  TestUser user = stack.CreateUser("contended");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        if ((i + t) % 2 == 0) {
          Grant(t % 2, stack.admin_token(), user.id, role.id());
        } else {
          Revoke(t % 2, stack.admin_token(), user.id, role.id());
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  v1::ListUserRolesRequest request;
  request.set_user_id(user.id);
  v1::ListUserRolesResponse held;
  REQUIRE(Call(stack.replica(0), &v1::RolesService::Stub::ListUserRoles, user.token, request, &held)
              .ok());
  bool expected = held.roles_size() == 1;
  CHECK(Eventually([&] {
    return Allowed(0, user, "integrations:write") == expected &&
           Allowed(1, user, "integrations:write") == expected;
  }));
}

}  // namespace
}  // namespace backoffice::roles::it

namespace backoffice::roles::it {
namespace {

// One open WatchPermissionChanges stream.
struct Watch : tests::WatchStream<v1::PermissionChange> {
  Watch(int replica, const std::string& token) {
    if (!token.empty()) context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    reader = RolesStack::Shared().replica(replica).WatchPermissionChanges(
        &context, v1::WatchPermissionChangesRequest());
  }
};

TEST_CASE("a service watching replica A hears grants, revokes and role changes made through B") {
  RolesStack& stack = RolesStack::Shared();
  Watch watch(0, stack.ServiceToken("bff"));
  REQUIRE(watch.Next().kind() == v1::PermissionChange::KIND_LIVE);

  v1::Role role = CreateRole("watched", {"audit:read"});
  TestUser user = stack.CreateUser("watched");
  REQUIRE(Grant(1, stack.admin_token(), user.id, role.id()).ok());
  // Skips whatever earlier commits still had in flight, up to the grant.
  v1::PermissionChange granted;
  do {
    granted = watch.NextAbout(user.id);
  } while (granted.kind() == v1::PermissionChange::KIND_ALL);
  CHECK(granted.kind() == v1::PermissionChange::KIND_USER);
  CHECK(granted.user_id() == user.id);

  v1::UpdateRoleRequest update;
  update.mutable_role()->set_id(role.id());
  update.mutable_role()->add_permissions("audit:export");
  update.mutable_update_mask()->add_paths("permissions");
  v1::Role out;
  REQUIRE(
      Call(stack.replica(1), &v1::RolesService::Stub::UpdateRole, stack.admin_token(), update, &out)
          .ok());
  CHECK(watch.NextAbout(user.id).kind() == v1::PermissionChange::KIND_ALL);

  REQUIRE(Revoke(1, stack.admin_token(), user.id, role.id()).ok());
  v1::PermissionChange revoked = watch.NextAbout(user.id);
  CHECK(revoked.kind() == v1::PermissionChange::KIND_USER);
  CHECK(revoked.user_id() == user.id);
}

TEST_CASE("watching needs a service account or roles:read") {
  RolesStack& stack = RolesStack::Shared();
  // A user holding roles:read may watch (an admin console could).
  {
    Watch admin(1, stack.admin_token());
    CHECK(admin.Next().kind() == v1::PermissionChange::KIND_LIVE);
  }
  auto refused = [](const std::string& token) {
    Watch watch(0, token);
    v1::PermissionChange change;
    CHECK_FALSE(watch.reader->Read(&change));
    return watch.Finish().error_code();
  };
  CHECK(refused("") == grpc::StatusCode::UNAUTHENTICATED);
  // A service token minted for another service's audience.
  CHECK(refused(stack.ServiceToken("bff", "backoffice-audit")) ==
        grpc::StatusCode::UNAUTHENTICATED);
  CHECK(refused(stack.CreateUser("watcher").token) == grpc::StatusCode::PERMISSION_DENIED);
}

TEST_CASE("a service account may list a role's members and change nothing") {
  RolesStack& stack = RolesStack::Shared();
  const std::string service = stack.ServiceToken("users");
  v1::ListRoleMembersRequest members;
  members.set_role_id(kAdminRoleId);
  v1::ListRoleMembersResponse page;
  grpc::Status listed =
      Call(stack.replica(1), &v1::RolesService::Stub::ListRoleMembers, service, members, &page);
  INFO(listed.error_message());
  REQUIRE(listed.ok());
  bool admin_listed = false;
  for (const v1::RoleGrant& grant : page.grants()) {
    admin_listed = admin_listed || grant.user_id() == stack.admin_id();
  }
  CHECK(admin_listed);
  // A token for another audience is still refused, and so is every other call.
  CHECK(Call(stack.replica(1), &v1::RolesService::Stub::ListRoleMembers,
             stack.ServiceToken("users", "backoffice-audit"), members, &page)
            .error_code() == grpc::StatusCode::UNAUTHENTICATED);
  TestUser target = stack.CreateUser("service-grantee");
  CHECK(Grant(0, service, target.id, kAdminRoleId).error_code() ==
        grpc::StatusCode::PERMISSION_DENIED);
  CHECK(Revoke(0, service, stack.admin_id(), kAdminRoleId).error_code() ==
        grpc::StatusCode::PERMISSION_DENIED);
  v1::ListRolesRequest list;
  v1::ListRolesResponse roles;
  CHECK(Call(stack.replica(0), &v1::RolesService::Stub::ListRoles, service, list, &roles)
            .error_code() == grpc::StatusCode::PERMISSION_DENIED);
}

TEST_CASE("a PermissionWatcher keeps a caller's cache exact: enabled when live, drops changes") {
  RolesStack& stack = RolesStack::Shared();
  struct Answer {
    std::optional<absl::Time> valid_until;
  };
  authz::InvalidatingCache<Answer> cache({.enabled = false});
  std::string token = stack.ServiceToken("bff");
  authz::PermissionWatcher watcher(
      stack.replica_channel(1), [&]() -> absl::StatusOr<std::string> { return token; }, cache);
  watcher.Start();
  REQUIRE(Eventually([&] { return watcher.live(); }));
  CHECK(cache.enabled());

  v1::Role role = CreateRole("cached", {"audit:read"});
  TestUser user = stack.CreateUser("cached");
  TestUser bystander = stack.CreateUser("bystander");
  cache.Insert(user.id, std::make_shared<Answer>(), cache.generation());
  cache.Insert(bystander.id, std::make_shared<Answer>(), cache.generation());
  REQUIRE(Grant(0, stack.admin_token(), user.id, role.id()).ok());
  CHECK(Eventually([&] { return cache.Find(user.id, absl::Now()) == nullptr; }));
  CHECK(cache.Find(bystander.id, absl::Now()) != nullptr);

  watcher.Stop();
  CHECK_FALSE(watcher.live());
  CHECK_FALSE(cache.enabled());
  CHECK(cache.size() == 0);
}

TEST_CASE("a PermissionWatcher whose token is refused never enables the cache") {
  RolesStack& stack = RolesStack::Shared();
  struct Answer {
    std::optional<absl::Time> valid_until;
  };
  authz::InvalidatingCache<Answer> cache({.enabled = false});
  std::string wrong_audience = stack.ServiceToken("bff", "backoffice-audit");
  authz::PermissionWatcher watcher(stack.replica_channel(0),
                                   [&]() -> absl::StatusOr<std::string> { return wrong_audience; },
                                   cache, {.reconnect_delay = absl::Milliseconds(10)});
  watcher.Start();
  REQUIRE(Eventually([&] { return watcher.streams() >= 3; }));
  CHECK_FALSE(watcher.live());
  CHECK_FALSE(cache.enabled());
}

TEST_CASE("services register their own permissions at start, and only their own") {
  RolesStack& stack = RolesStack::Shared();
  // The users binary registers its catalog in the background once a replica answers.
  CHECK(Eventually([&] {
    return absl::StrContains(stack.Output("users"),
                             "permissions registered with the roles service");
  }));

  v1::RegisterPermissionsRequest request;
  request.set_service("audit");
  v1::Permission* permission = request.add_permissions();
  permission->set_name("audit:read");
  permission->set_description("Query the audit log and verify its chain");
  v1::RegisterPermissionsResponse response;
  grpc::Status foreign = Call(stack.replica(0), &v1::RolesService::Stub::RegisterPermissions,
                              stack.ServiceToken("users"), request, &response);
  CHECK(foreign.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  request.set_service("users");
  permission->set_name("users:read");
  permission->set_description("Read user accounts (get, list, lockout state)");
  grpc::Status own = Call(stack.replica(0), &v1::RolesService::Stub::RegisterPermissions,
                          stack.ServiceToken("users"), request, &response);
  INFO(own.error_message());
  CHECK(own.ok());
  CHECK(response.created_count() == 0);  // idempotent: already in the catalog
}

}  // namespace
}  // namespace backoffice::roles::it
