#include "services/roles/permission_cache.h"

#include <catch2/catch.hpp>

namespace backoffice::roles {
namespace {

PermissionCache::Entry Answer(std::vector<std::string> permissions,
                              std::optional<absl::Time> valid_until = std::nullopt) {
  auto entry = std::make_shared<EffectivePermissions>();
  entry->permissions = std::move(permissions);
  entry->valid_until = valid_until;
  return entry;
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
  CHECK(cache.Find("u1", now)->Has("users:read"));
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

}  // namespace
}  // namespace backoffice::roles
