// The last-admin rule of UserStore (LastAdminCheck) against a real PostgreSQL: deleting or
// disabling the only active admin holder is refused and changes nothing; another active holder
// lets it go; two admins disabling each other at once end with exactly one disabled.
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "libs/errors/error_details.h"
#include "libs/testing/eventually.h"
#include "services/users/store/store_fixture.h"
#include "services/users/store/user_store.h"

namespace backoffice::users {
namespace {

using testing::AdminActor;
using testing::StoreFixture;

LastAdminCheck Holders(std::vector<std::string> ids) {
  return {.enabled = true, .admin_holder_ids = std::move(ids)};
}

void RequireLastAdmin(const absl::Status& status) {
  INFO(status.message());
  CHECK(status.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(errors::ErrorReasonOf(status) == "LAST_ADMIN");
  CHECK(absl::StrContains(status.message(), "last active admin"));
}

UserStatus StatusOf(StoreFixture& f, const std::string& id) {
  absl::StatusOr<User> user = f.store().Get(id);
  REQUIRE(user.ok());
  return user->status;
}

TEST_CASE("the only active admin holder can be neither deleted nor disabled") {
  StoreFixture f;
  User ann = f.CreateUser("ann");
  User bob = f.CreateUser("bob");
  User cid = f.CreateUser("cid");
  REQUIRE(f.store().SetStatus(bob.id, UserStatus::kDisabled, "", std::nullopt, AdminActor()).ok());
  REQUIRE(f.store().SoftDelete(cid.id, std::nullopt, AdminActor()).ok());
  size_t events = f.EventTypes().size();
  // Bob (disabled) and Cid (deleted) hold admin too, but only Ann is active; the list may name
  // ids in another case and carry junk, both ignored.
  LastAdminCheck admins = Holders({absl::AsciiStrToUpper(ann.id), bob.id, cid.id, "not-a-uuid"});

  RequireLastAdmin(f.store().SoftDelete(ann.id, std::nullopt, AdminActor(), admins).status());
  RequireLastAdmin(
      f.store()
          .SetStatus(ann.id, UserStatus::kDisabled, "", std::nullopt, AdminActor(), admins)
          .status());
  // Herself: the rule answers first.
  Actor self{.type = "user", .id = ann.id};
  RequireLastAdmin(f.store().SoftDelete(ann.id, std::nullopt, self, admins).status());
  RequireLastAdmin(
      f.store().SetStatus(ann.id, UserStatus::kDisabled, "", std::nullopt, self, admins).status());
  CHECK(StatusOf(f, ann.id) == UserStatus::kActive);
  CHECK(f.store().Get(ann.id)->version == ann.version);
  CHECK(f.EventTypes().size() == events);

  // Without the rule (no roles service to ask) the change goes through as before.
  REQUIRE(f.store().SetStatus(ann.id, UserStatus::kDisabled, "", std::nullopt, AdminActor()).ok());
  CHECK(StatusOf(f, ann.id) == UserStatus::kDisabled);
}

TEST_CASE("another active holder lets an admin be deleted or disabled") {
  StoreFixture f;
  User ann = f.CreateUser("ann");
  User bob = f.CreateUser("bob");
  User eve = f.CreateUser("eve");
  LastAdminCheck admins = Holders({ann.id, bob.id});

  REQUIRE(f.store()
              .SetStatus(ann.id, UserStatus::kDisabled, "", std::nullopt, AdminActor(), admins)
              .ok());
  // Ann is disabled: deleting her takes no active admin away.
  REQUIRE(f.store().SoftDelete(ann.id, std::nullopt, AdminActor(), admins).ok());
  // Bob is now the only active one.
  RequireLastAdmin(f.store().SoftDelete(bob.id, std::nullopt, AdminActor(), admins).status());
  // Eve holds no admin: the rule does not touch her.
  REQUIRE(f.store().SoftDelete(eve.id, std::nullopt, AdminActor(), admins).ok());
  // The actor's own account stays refused for the usual reason when others remain.
  REQUIRE(f.store().Restore(ann.id, std::nullopt, AdminActor()).ok());
  REQUIRE(f.store().SetStatus(ann.id, UserStatus::kActive, "", std::nullopt, AdminActor()).ok());
  absl::Status own =
      f.store()
          .SoftDelete(bob.id, std::nullopt, Actor{.type = "user", .id = bob.id}, admins)
          .status();
  CHECK(own.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(own.message() == "cannot delete your own account");
  REQUIRE(f.store().SoftDelete(bob.id, std::nullopt, AdminActor(), admins).ok());
  CHECK(StatusOf(f, ann.id) == UserStatus::kActive);
}

TEST_CASE("two admins disabling each other at once: exactly one is disabled") {
  StoreFixture f({}, 6);
  User ann = f.CreateUser("ann");
  User bob = f.CreateUser("bob");
  LastAdminCheck admins = Holders({ann.id, bob.id});

  // Hold the rule's lock so both calls are inside their transactions, queued on it, before
  // either goes on: they overlap for certain.
  absl::StatusOr<pg::PooledConnection> holder = f.pool().Acquire();
  REQUIRE(holder.ok());
  REQUIRE((*holder)->Execute("BEGIN").ok());
  REQUIRE((*holder)->Execute("SELECT pg_advisory_xact_lock(hashtext('users.last_admin'))").ok());
  absl::Status by_ann, by_bob;
  std::thread ann_disables_bob([&] {
    by_ann = f.store()
                 .SetStatus(bob.id, UserStatus::kDisabled, "", std::nullopt,
                            Actor{.type = "user", .id = ann.id}, admins)
                 .status();
  });
  std::thread bob_disables_ann([&] {
    by_bob = f.store()
                 .SetStatus(ann.id, UserStatus::kDisabled, "", std::nullopt,
                            Actor{.type = "user", .id = bob.id}, admins)
                 .status();
  });
  bool queued = backoffice::testing::Eventually([&] {
    return f.Count(
               "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
               "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())") ==
           2;
  });
  REQUIRE((*holder)->Execute("COMMIT").ok());
  ann_disables_bob.join();
  bob_disables_ann.join();
  REQUIRE(queued);
  INFO(by_ann.message() << " / " << by_bob.message());
  CHECK(by_ann.ok() != by_bob.ok());
  RequireLastAdmin(by_ann.ok() ? by_bob : by_ann);
  CHECK(f.Count("SELECT count(*) FROM users WHERE status = 'active' AND id = ANY($1::uuid[])",
                {"{" + ann.id + "," + bob.id + "}"}) == 1);
}

}  // namespace
}  // namespace backoffice::users
