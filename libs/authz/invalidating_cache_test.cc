#include "libs/authz/invalidating_cache.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace backoffice::authz {
namespace {

struct Permissions {
  std::vector<std::string> names;
  std::optional<absl::Time> valid_until;
};
using PermissionCache = InvalidatingCache<Permissions>;

PermissionCache::Entry Answer(std::vector<std::string> permissions,
                              std::optional<absl::Time> valid_until = std::nullopt) {
  return std::make_shared<Permissions>(Permissions{std::move(permissions), valid_until});
}

TEST_CASE("a load that raced with an invalidation is not stored") {
  PermissionCache cache;
  absl::Time now = absl::Now();
  uint64_t before = cache.generation();
  cache.Invalidate("someone-else");
  cache.Insert("u1", Answer({"users:read"}), before);
  CHECK(cache.Find("u1", now) == nullptr);
  cache.Insert("u1", Answer({"users:read"}), cache.generation());
  REQUIRE(cache.Find("u1", now) != nullptr);
  CHECK(cache.Find("u1", now)->names == std::vector<std::string>{"users:read"});
}

TEST_CASE("invalidation is per user or total") {
  PermissionCache cache;
  absl::Time now = absl::Now();
  cache.Insert("u1", Answer({}), cache.generation());
  cache.Insert("u2", Answer({}), cache.generation());
  cache.Invalidate("u1");
  CHECK(cache.Find("u1", now) == nullptr);
  CHECK(cache.Find("u2", now) != nullptr);
  cache.InvalidateAll();
  CHECK(cache.size() == 0);
}

TEST_CASE("an answer is not used past its valid_until") {
  PermissionCache cache;
  absl::Time now = absl::Now();
  cache.Insert("u1", Answer({"audit:read"}, now + absl::Seconds(10)), cache.generation());
  CHECK(cache.Find("u1", now) != nullptr);
  CHECK(cache.Find("u1", now + absl::Seconds(10)) == nullptr);
}

TEST_CASE("disabled, nothing is stored; the size stays bounded") {
  PermissionCache cache({.max_entries = 3});
  cache.SetEnabled(false);
  cache.Insert("u1", Answer({}), cache.generation());
  CHECK(cache.size() == 0);
  cache.SetEnabled(true);
  for (int i = 0; i < 10; ++i)
    cache.Insert("u" + std::to_string(i), Answer({}), cache.generation());
  CHECK(cache.size() == 3);
  CHECK(cache.Find("u9", absl::Now()) != nullptr);
}

TEST_CASE("an answer is not used longer than max_age after it was stored") {
  PermissionCache cache({.max_age = absl::Seconds(5)});
  absl::Time stored = absl::Now();
  cache.Insert("u1", Answer({"audit:read"}), cache.generation(), stored);
  CHECK(cache.Find("u1", stored + absl::Seconds(4)) != nullptr);
  CHECK(cache.Find("u1", stored + absl::Seconds(5)) == nullptr);
}

TEST_CASE("a cache that starts disabled stores nothing until enabled") {
  PermissionCache cache({.enabled = false});
  CHECK_FALSE(cache.enabled());
  cache.Insert("u1", Answer({}), cache.generation());
  CHECK(cache.Find("u1", absl::Now()) == nullptr);
  cache.SetEnabled(true);
  cache.Insert("u1", Answer({}), cache.generation());
  CHECK(cache.Find("u1", absl::Now()) != nullptr);
  CHECK(cache.hits() == 1);
  CHECK(cache.misses() == 1);
}

TEST_CASE("with settle, answers loaded right after an invalidation are not kept") {
  PermissionCache cache({.settle = absl::Seconds(1)});
  absl::Time t = absl::Now();
  cache.Invalidate("u1", t);
  cache.Insert("u1", Answer({"users:read"}), cache.generation(), t + absl::Milliseconds(500));
  CHECK(cache.Find("u1", t + absl::Milliseconds(600)) == nullptr);
  cache.Insert("u2", Answer({}), cache.generation(), t + absl::Milliseconds(500));  // not settling
  CHECK(cache.Find("u2", t + absl::Milliseconds(600)) != nullptr);
  cache.Insert("u1", Answer({"users:read"}), cache.generation(), t + absl::Seconds(1));
  CHECK(cache.Find("u1", t + absl::Seconds(1)) != nullptr);

  cache.InvalidateAll(t + absl::Seconds(2));
  cache.Insert("u3", Answer({}), cache.generation(), t + absl::Milliseconds(2500));
  CHECK(cache.size() == 0);
  cache.Insert("u3", Answer({}), cache.generation(), t + absl::Seconds(3));
  CHECK(cache.size() == 1);
}

TEST_CASE("one feed keeps several caches exact") {
  PermissionCache permissions;
  PermissionCache roles;
  CacheInvalidations both({&permissions, &roles});
  absl::Time now = absl::Now();
  permissions.Insert("u1", Answer({"users:read"}), permissions.generation(), now);
  roles.Insert("u1", Answer({"viewer"}), roles.generation(), now);
  roles.Insert("u2", Answer({"admin"}), roles.generation(), now);

  both.Invalidate("u1");
  CHECK(permissions.Find("u1", now) == nullptr);
  CHECK(roles.Find("u1", now) == nullptr);
  CHECK(roles.Find("u2", now) != nullptr);

  both.InvalidateAll();
  CHECK(roles.size() == 0);

  both.SetEnabled(false);
  CHECK_FALSE(permissions.enabled());
  CHECK_FALSE(roles.enabled());
  both.SetEnabled(true);
  CHECK(permissions.enabled());
  CHECK(roles.enabled());
}

}  // namespace
}  // namespace backoffice::authz
