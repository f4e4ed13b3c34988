#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "libs/errors/error_details.h"
#include "services/roles/store/store_fixture.h"

namespace backoffice::roles {
namespace {

using testing::AdminActor;
using testing::StoreFixture;

TEST_CASE("migrations seed the catalog and the system roles") {
  StoreFixture f;
  absl::StatusOr<Role> admin = f.roles().GetByName("ADMIN");
  REQUIRE(admin.ok());
  CHECK(admin->id == kAdminRoleId);
  CHECK(admin->system);
  CHECK(static_cast<int64_t>(admin->permissions.size()) ==
        f.Count("SELECT count(*) FROM permissions"));
  absl::StatusOr<Role> viewer = f.roles().Get(kViewerRoleId);
  REQUIRE(viewer.ok());
  for (const std::string& permission : viewer->permissions) {
    CHECK(absl::EndsWith(permission, ":read"));
  }
  CHECK(f.roles().Get(kOperatorRoleId).ok());
}

TEST_CASE("create validates permissions, parents and names") {
  StoreFixture f;
  Role base = f.MakeRole("base", {"users:read"});
  absl::StatusOr<Role> role =
      f.roles().Create({.name = "Support-Agent",
                        .description = "first line",
                        .permissions = {"sessions:revoke", "users:read", "users:read"},
                        .parent_ids = {base.id}},
                       AdminActor());
  REQUIRE(role.ok());
  CHECK(role->display_name == "Support-Agent");
  CHECK(role->permissions == std::vector<std::string>{"sessions:revoke", "users:read"});
  CHECK(role->parent_ids == std::vector<std::string>{base.id});
  CHECK(role->version == 1);
  CHECK(f.EventTypes() == std::vector<std::string>{"role.created", "role.created"});

  absl::StatusOr<Role> unknown =
      f.roles().Create({.name = "x1", .permissions = {"users:read", "users:fly"}}, AdminActor());
  CHECK(unknown.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(unknown.status().message()) ==
        "role.permissions[1]: unknown permission \"users:fly\"");

  absl::StatusOr<Role> malformed =
      f.roles().Create({.name = "x2", .permissions = {"users.read"}}, AdminActor());
  CHECK(malformed.status().code() == absl::StatusCode::kInvalidArgument);

  absl::StatusOr<Role> duplicate = f.roles().Create({.name = "support-agent"}, AdminActor());
  CHECK(duplicate.status().code() == absl::StatusCode::kAlreadyExists);

  absl::StatusOr<Role> orphan =
      f.roles().Create({.name = "x3", .parent_ids = {testing::NewId()}}, AdminActor());
  CHECK(orphan.status().code() == absl::StatusCode::kNotFound);
  CHECK(absl::StartsWith(orphan.status().message(), "role.parent_role_ids[0]"));

  CHECK(f.roles().Create({.name = "1bad"}, AdminActor()).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(f.EventTypes().size() == 2);
}

// Custom roles: what creates add (the seeded system roles excluded).
int64_t CustomRoles(StoreFixture& f) {
  return f.Count("SELECT count(*) FROM roles WHERE NOT is_system");
}

TEST_CASE("create with a request_id answers a retry with the first role") {
  StoreFixture f;
  Role base = f.MakeRole("base", {"audit:read"});
  RoleFields fields{.name = "retried",
                    .description = "first line",
                    .permissions = {"users:read", "sessions:revoke"},
                    .parent_ids = {base.id}};
  absl::StatusOr<Role> first = f.roles().Create(fields, AdminActor(), "role-key-1");
  INFO(first.status().ToString());
  REQUIRE(first.ok());

  // The same request, spelled differently (order, a duplicate): the same normalized fields.
  RoleFields respelled = fields;
  respelled.permissions = {"sessions:revoke", "users:read", "users:read"};
  absl::StatusOr<Role> retry = f.roles().Create(respelled, AdminActor(), "role-key-1");
  INFO(retry.status().ToString());
  REQUIRE(retry.ok());
  CHECK(retry->id == first->id);
  CHECK(retry->version == 1);
  CHECK(retry->permissions == first->permissions);
  CHECK(CustomRoles(f) == 2);
  CHECK(f.EventTypes() == std::vector<std::string>{"role.created", "role.created"});
  CHECK(f.Count("SELECT count(*) FROM idempotency_keys WHERE operation = 'CreateRole' AND "
                "caller = $1 AND request_id = 'role-key-1' AND resource_id = $2::uuid AND "
                "expires_at > now() + interval '23 hours'",
                {"user:" + AdminActor().id, first->id}) == 1);

  SECTION("the same request_id with other fields is ALREADY_EXISTS naming request_id") {
    RoleFields other = fields;
    other.description = "second line";
    absl::StatusOr<Role> clash = f.roles().Create(other, AdminActor(), "role-key-1");
    REQUIRE_FALSE(clash.ok());
    CHECK(clash.status().code() == absl::StatusCode::kAlreadyExists);
    CHECK(std::string(clash.status().message()) ==
          "request_id: already used for a different CreateRole request");
    CHECK(CustomRoles(f) == 2);
    CHECK(f.EventTypes().size() == 2);
  }
  SECTION("another caller's request_id is its own: not a replay, so the name is taken") {
    Actor other = AdminActor();
    other.id = "0190b5f2-0000-7000-8000-0000000000bb";
    absl::StatusOr<Role> theirs = f.roles().Create(fields, other, "role-key-1");
    REQUIRE_FALSE(theirs.ok());
    CHECK(theirs.status().code() == absl::StatusCode::kAlreadyExists);
    CHECK(absl::StartsWith(theirs.status().message(), "role.name:"));
    Actor service = AdminActor();
    service.type = "service";
    CHECK(absl::StartsWith(f.roles().Create(fields, service, "role-key-1").status().message(),
                           "role.name:"));
  }
  SECTION("a retry answers the role's current state and writes nothing") {
    REQUIRE(f.roles()
                .Update({.id = first->id,
                         .fields = {.display_name = "Renamed label"},
                         .update_mask = {"display_name"}},
                        AdminActor())
                .ok());
    absl::StatusOr<Role> later = f.roles().Create(fields, AdminActor(), "role-key-1");
    REQUIRE(later.ok());
    CHECK(later->id == first->id);
    CHECK(later->version == 2);
    CHECK(later->display_name == "Renamed label");
    CHECK(f.EventTypes() ==
          std::vector<std::string>{"role.created", "role.created", "role.updated"});
  }
  SECTION("a retry after the role was deleted is NOT_FOUND naming request_id") {
    REQUIRE(f.roles().Delete(first->id, std::nullopt, false, AdminActor()).ok());
    absl::StatusOr<Role> gone = f.roles().Create(fields, AdminActor(), "role-key-1");
    REQUIRE_FALSE(gone.ok());
    CHECK(gone.status().code() == absl::StatusCode::kNotFound);
    CHECK(absl::StartsWith(gone.status().message(), "request_id:"));
    CHECK(CustomRoles(f) == 1);
  }
}

TEST_CASE("create without a request_id is not deduplicated") {
  StoreFixture f;
  REQUIRE(f.roles().Create({.name = "plain"}, AdminActor()).ok());
  absl::StatusOr<Role> again = f.roles().Create({.name = "plain"}, AdminActor());
  CHECK(again.status().code() == absl::StatusCode::kAlreadyExists);
  CHECK(absl::StartsWith(again.status().message(), "role.name:"));
  CHECK(f.Count("SELECT count(*) FROM idempotency_keys") == 0);
}

TEST_CASE("request_id is at most 128 bytes") {
  StoreFixture f;
  absl::StatusOr<Role> long_key =
      f.roles().Create({.name = "long-key"}, AdminActor(), std::string(129, 'k'));
  CHECK(long_key.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(long_key.status().message()) == "request_id: must be at most 128 bytes");
  CHECK(CustomRoles(f) == 0);
  CHECK(f.roles().Create({.name = "long-key"}, AdminActor(), std::string(128, 'k')).ok());
}

TEST_CASE("a create that fails leaves its request_id unused") {
  StoreFixture f;
  absl::StatusOr<Role> failed =
      f.roles().Create({.name = "fixed", .permissions = {"users:fly"}}, AdminActor(), "k-fix");
  CHECK(failed.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(f.Count("SELECT count(*) FROM idempotency_keys") == 0);
  // The corrected request under the same key is a new request, not a clash.
  absl::StatusOr<Role> fixed =
      f.roles().Create({.name = "fixed", .permissions = {"users:read"}}, AdminActor(), "k-fix");
  INFO(fixed.status().ToString());
  REQUIRE(fixed.ok());
  CHECK(f.Count("SELECT count(*) FROM idempotency_keys") == 1);
}

TEST_CASE("an expired request_id is taken over by the next create") {
  StoreFixture f;
  RoleStore expiring(f.pool(), {.idempotency_ttl = absl::ZeroDuration()});
  absl::StatusOr<Role> first = expiring.Create({.name = "once"}, AdminActor(), "k-old");
  REQUIRE(first.ok());
  // No longer a replay: a second create, which the taken name then refuses.
  absl::StatusOr<Role> again = expiring.Create({.name = "once"}, AdminActor(), "k-old");
  CHECK(again.status().code() == absl::StatusCode::kAlreadyExists);
  CHECK(absl::StartsWith(again.status().message(), "role.name:"));
  // Other fields under the expired key: a new role, and the key now names it.
  absl::StatusOr<Role> other = f.roles().Create({.name = "twice"}, AdminActor(), "k-old");
  INFO(other.status().ToString());
  REQUIRE(other.ok());
  CHECK(other->id != first->id);
  CHECK(f.Count("SELECT count(*) FROM idempotency_keys WHERE resource_id = $1::uuid",
                {other->id}) == 1);
  absl::StatusOr<Role> replay = f.roles().Create({.name = "twice"}, AdminActor(), "k-old");
  REQUIRE(replay.ok());
  CHECK(replay->id == other->id);
}

TEST_CASE("concurrent creates with one request_id create one role") {
  StoreFixture f(8);
  constexpr int kThreads = 6;
  for (int round = 0; round < 3; ++round) {
    RoleFields fields{.name = "racer" + std::to_string(round), .permissions = {"users:read"}};
    std::string key = "race-" + std::to_string(round);
    std::vector<absl::StatusOr<Role>> results(kThreads, absl::UnknownError("not run"));
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] { results[i] = f.roles().Create(fields, AdminActor(), key); });
    }
    for (std::thread& t : threads) t.join();
    for (const absl::StatusOr<Role>& result : results) {
      INFO(result.status().ToString());
      REQUIRE(result.ok());
      CHECK(result->id == results[0]->id);
    }
  }
  CHECK(CustomRoles(f) == 3);
  CHECK(f.Count("SELECT count(*) FROM outbox WHERE event_type = 'role.created'") == 3);
}

TEST_CASE("update applies the mask with optimistic concurrency and per-permission events") {
  StoreFixture f;
  Role role = f.MakeRole("editor", {"users:read", "users:write"});
  absl::StatusOr<RoleChange> changed = f.roles().Update(
      {.id = role.id,
       .fields = {.description = "edits", .permissions = {"users:read", "audit:read"}},
       .update_mask = {"description", "permissions"},
       .expected_version = 1},
      AdminActor());
  REQUIRE(changed.ok());
  CHECK(changed->affects_permissions);
  CHECK(changed->role.version == 2);
  CHECK(changed->role.permissions == std::vector<std::string>{"audit:read", "users:read"});
  CHECK(f.EventTypes() == std::vector<std::string>{"role.created", "role.updated",
                                                   "role.permission_added",
                                                   "role.permission_removed"});

  absl::StatusOr<RoleChange> stale = f.roles().Update({.id = role.id,
                                                       .fields = {.description = "x"},
                                                       .update_mask = {"description"},
                                                       .expected_version = 1},
                                                      AdminActor());
  CHECK(stale.status().code() == absl::StatusCode::kAborted);
  CHECK(errors::ErrorReasonOf(stale.status()) == "ETAG_MISMATCH");

  absl::StatusOr<RoleChange> same = f.roles().Update(
      {.id = role.id, .fields = {.description = "edits"}, .update_mask = {"description"}},
      AdminActor());
  REQUIRE(same.ok());
  CHECK(same->role.version == 2);

  CHECK(
      f.roles().Update({.id = role.id, .update_mask = {"version"}}, AdminActor()).status().code() ==
      absl::StatusCode::kInvalidArgument);
}

TEST_CASE("system roles cannot be renamed, re-permissioned or deleted") {
  StoreFixture f;
  CHECK(f.roles()
            .Update({.id = kAdminRoleId, .fields = {.name = "root"}, .update_mask = {"name"}},
                    AdminActor())
            .status()
            .code() == absl::StatusCode::kFailedPrecondition);
  CHECK(f.roles()
            .Update({.id = kViewerRoleId,
                     .fields = {.permissions = {"users:read"}},
                     .update_mask = {"permissions"}},
                    AdminActor())
            .status()
            .code() == absl::StatusCode::kFailedPrecondition);
  absl::StatusOr<RoleChange> relabeled = f.roles().Update({.id = kViewerRoleId,
                                                           .fields = {.display_name = "Read only"},
                                                           .update_mask = {"display_name"}},
                                                          AdminActor());
  REQUIRE(relabeled.ok());
  CHECK(relabeled->role.display_name == "Read only");
  CHECK(f.roles().Delete(kAdminRoleId, std::nullopt, true, AdminActor()).status().code() ==
        absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("an edge that would close a cycle is refused, naming the cycle") {
  StoreFixture f;
  Role c = f.MakeRole("cc", {"users:read"});
  Role b = f.MakeRole("bb", {}, {c.id});
  Role a = f.MakeRole("aa", {}, {b.id});
  absl::StatusOr<RoleChange> cycle = f.roles().Update(
      {.id = c.id, .fields = {.parent_ids = {a.id}}, .update_mask = {"parent_role_ids"}},
      AdminActor());
  CHECK(cycle.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(errors::ErrorReasonOf(cycle.status()) == "CYCLE");
  CHECK(absl::EndsWith(cycle.status().message(), "cc -> aa -> bb -> cc"));
  CHECK(f.roles()
            .Update(
                {.id = c.id, .fields = {.parent_ids = {c.id}}, .update_mask = {"parent_role_ids"}},
                AdminActor())
            .status()
            .code() == absl::StatusCode::kFailedPrecondition);
  CHECK(f.Count("SELECT count(*) FROM role_parents") == 2);
}

TEST_CASE("chains longer than eight roles are refused") {
  StoreFixture f;
  std::vector<Role> chain = {f.MakeRole("level0", {"users:read"})};
  for (int i = 1; i < kMaxChainLength; ++i) {
    chain.push_back(f.MakeRole("level" + std::to_string(i), {}, {chain.back().id}));
  }
  absl::StatusOr<Role> ninth =
      f.roles().Create({.name = "level8", .parent_ids = {chain.back().id}}, AdminActor());
  CHECK(ninth.status().code() == absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("two concurrent edge additions cannot form a cycle together") {
  StoreFixture f(8);
  for (int round = 0; round < 10; ++round) {
    Role x = f.MakeRole("x" + std::to_string(round), {});
    Role y = f.MakeRole("y" + std::to_string(round), {});
    absl::Status first, second;
    std::thread t1([&] {
      first = f.roles()
                  .Update({.id = x.id,
                           .fields = {.parent_ids = {y.id}},
                           .update_mask = {"parent_role_ids"}},
                          AdminActor())
                  .status();
    });
    std::thread t2([&] {
      second = f.roles()
                   .Update({.id = y.id,
                            .fields = {.parent_ids = {x.id}},
                            .update_mask = {"parent_role_ids"}},
                           AdminActor())
                   .status();
    });
    t1.join();
    t2.join();
    CHECK(first.ok() != second.ok());
    CHECK((first.ok() ? second : first).code() == absl::StatusCode::kFailedPrecondition);
  }
}

TEST_CASE("delete refuses roles in use unless forced") {
  StoreFixture f;
  Role parent = f.MakeRole("parent", {"users:read"});
  Role child = f.MakeRole("child", {}, {parent.id});
  f.MakeGrant(testing::NewId(), parent.id);
  absl::StatusOr<RoleChange> refused =
      f.roles().Delete(parent.id, std::nullopt, false, AdminActor());
  CHECK(refused.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(f.roles().Delete(parent.id, 7, true, AdminActor()).status().code() ==
        absl::StatusCode::kAborted);
  absl::StatusOr<RoleChange> deleted = f.roles().Delete(parent.id, 1, true, AdminActor());
  REQUIRE(deleted.ok());
  CHECK(deleted->affects_permissions);
  CHECK(f.Count("SELECT count(*) FROM grants") == 0);
  CHECK(f.roles().Get(child.id)->parent_ids.empty());
  CHECK(f.roles().Get(parent.id).status().code() == absl::StatusCode::kNotFound);
  CHECK(f.EventTypes().back() == "role.deleted");
}

TEST_CASE("list pages by name with tokens and exact totals") {
  StoreFixture f;
  for (const char* name : {"delta", "Alpha", "charlie", "bravo", "echo"}) f.MakeRole(name, {});
  ListRolesRequest request{.kind = ListRolesRequest::Kind::kCustom, .page_size = 2};
  std::vector<std::string> names;
  for (int page = 0; page < 5; ++page) {
    absl::StatusOr<RolePage> result = f.roles().List(request);
    REQUIRE(result.ok());
    CHECK(result->total_size == 5);
    for (const Role& role : result->roles) names.push_back(role.name);
    if (result->next_page_token.empty()) break;
    request.page_token = result->next_page_token;
  }
  CHECK(names == std::vector<std::string>{"Alpha", "bravo", "charlie", "delta", "echo"});

  absl::StatusOr<RolePage> all = f.roles().List({.descending = true});
  REQUIRE(all.ok());
  CHECK(all->total_size == 8);
  CHECK(all->roles.front().name == "viewer");
  absl::StatusOr<RolePage> holding = f.roles().List({.permission = "audit:export"});
  REQUIRE(holding.ok());
  CHECK(holding->roles.size() == 1);
  CHECK(holding->roles[0].name == "admin");
  CHECK(f.roles().List({.page_token = "garbage"}).status().code() ==
        absl::StatusCode::kInvalidArgument);
  ListRolesRequest other = request;
  other.query = "a";
  CHECK(f.roles().List(other).status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("registering permissions is idempotent and keeps admin complete") {
  StoreFixture f;
  std::vector<Permission> mine = {
      {.name = "reports:read", .description = "Read reports"},
      {.name = "users:read", .description = "Read user accounts (get, list, lockout state)"}};
  absl::StatusOr<RegisterResult> first = f.permissions().Register("reports", mine, AdminActor());
  REQUIRE(first.ok());
  CHECK(first->created == 1);
  CHECK(first->unchanged == 1);
  absl::StatusOr<RegisterResult> again = f.permissions().Register("reports", mine, AdminActor());
  REQUIRE(again.ok());
  CHECK(again->created == 0);
  CHECK(again->unchanged == 2);
  mine[0].description = "Read all reports";
  CHECK(f.permissions().Register("reports", mine, AdminActor())->updated == 1);
  absl::StatusOr<Role> admin = f.roles().Get(kAdminRoleId);
  REQUIRE(admin.ok());
  CHECK(std::count(admin->permissions.begin(), admin->permissions.end(), "reports:read") == 1);
  CHECK(f.EventTypes() == std::vector<std::string>{"role.permission_added"});

  CHECK(f.permissions()
            .Register("reports", {{.name = "Reports:Read"}}, AdminActor())
            .status()
            .code() == absl::StatusCode::kInvalidArgument);
  absl::StatusOr<PermissionPage> page = f.permissions().List({.service = "reports"});
  REQUIRE(page.ok());
  REQUIRE(page->permissions.size() == 1);
  CHECK(page->permissions[0].description == "Read all reports");
  absl::StatusOr<PermissionPage> first_page = f.permissions().List({.page_size = 3});
  REQUIRE(first_page.ok());
  CHECK(first_page->permissions.size() == 3);
  CHECK(first_page->total_size == 20);
  absl::StatusOr<PermissionPage> second_page =
      f.permissions().List({.page_size = 3, .page_token = first_page->next_page_token});
  REQUIRE(second_page.ok());
  CHECK(second_page->permissions[0].name > first_page->permissions[2].name);
}

}  // namespace
}  // namespace backoffice::roles
