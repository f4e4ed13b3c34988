// UsersCache: what is stored, what a change drops, and what a load that raced a change may not
// store.
#include "bff/app/users_cache.h"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <string>

namespace backoffice::bff::app {
namespace {

constexpr char kId[] = "0190a4c2-7d4e-7c3a-9a51-5f1d2e3c4b5a";
constexpr char kOther[] = "0190a4c2-7d4e-7c3a-9a51-000000000002";

users::v1::User Account(const std::string& id, const std::string& email) {
  users::v1::User user;
  user.set_id(id);
  user.set_email(email);
  user.set_etag("3");
  return user;
}

users::v1::ListUsersRequest FirstPage(int size) {
  users::v1::ListUsersRequest request;
  request.mutable_page()->set_page_size(size);
  return request;
}

users::v1::ListUsersResponse PageOf(const users::v1::User& user) {
  users::v1::ListUsersResponse page;
  *page.add_users() = user;
  page.mutable_page_info()->set_total_size(1);
  return page;
}

}  // namespace

TEST_CASE("nothing is cached until the watch is live", "[users_cache]") {
  UsersCache cache;
  cache.StoreUser(Account(kId, "a@example.com"), cache.users_generation());
  CHECK(cache.FindUser(kId) == nullptr);
  std::string key;
  CHECK(cache.FindPage(FirstPage(25), key) == nullptr);
  cache.StorePage(key, PageOf(Account(kId, "a@example.com")), cache.pages_generation());
  CHECK(cache.FindPage(FirstPage(25), key) == nullptr);
}

TEST_CASE("a stored record is found by its id in any case, rendered as its JSON", "[users_cache]") {
  UsersCache cache;
  cache.invalidation().SetEnabled(true);
  auto stored = cache.StoreUser(Account(kId, "a@example.com"), cache.users_generation());
  auto found = cache.FindUser("0190A4C2-7D4E-7C3A-9A51-5F1D2E3C4B5A");
  REQUIRE(found != nullptr);
  CHECK(found == stored);
  CHECK(found->etag == "3");
  CHECK(boost::json::parse(found->body).at("email").as_string() == "a@example.com");
}

TEST_CASE("a change to one account drops it and every page, not the others", "[users_cache]") {
  UsersCache cache;
  cache.invalidation().SetEnabled(true);
  cache.StoreUser(Account(kId, "a@example.com"), cache.users_generation());
  cache.StoreUser(Account(kOther, "b@example.com"), cache.users_generation());
  std::string key;
  REQUIRE(cache.FindPage(FirstPage(25), key) == nullptr);
  cache.StorePage(key, PageOf(Account(kId, "a@example.com")), cache.pages_generation());
  REQUIRE(cache.FindPage(FirstPage(25), key) != nullptr);
  CHECK(cache.FindPage(FirstPage(10), key) == nullptr);  // another request, another key

  cache.invalidation().Invalidate(kOther);  // what the watcher does on KIND_USER
  CHECK(cache.FindUser(kOther) == nullptr);
  CHECK(cache.FindUser(kId) != nullptr);
  CHECK(cache.FindPage(FirstPage(25), key) == nullptr);
}

TEST_CASE("changes made through this BFF drop what they touched", "[users_cache]") {
  UsersCache cache;
  cache.invalidation().SetEnabled(true);
  cache.StoreUser(Account(kId, "a@example.com"), cache.users_generation());
  cache.StoreUser(Account(kOther, "b@example.com"), cache.users_generation());
  std::string key;
  cache.FindPage(FirstPage(25), key);
  cache.StorePage(key, PageOf(Account(kId, "a@example.com")), cache.pages_generation());
  cache.ChangedPages();  // a new account: no cached record can show it
  CHECK(cache.FindPage(FirstPage(25), key) == nullptr);
  CHECK(cache.FindUser(kId) != nullptr);
  cache.Changed("0190A4C2-7D4E-7C3A-9A51-5F1D2E3C4B5A");
  CHECK(cache.FindUser(kId) == nullptr);
  CHECK(cache.FindUser(kOther) != nullptr);
  cache.ChangedAll();
  CHECK(cache.FindUser(kOther) == nullptr);
}

TEST_CASE("a load that raced a change is answered but not stored", "[users_cache]") {
  UsersCache cache;
  cache.invalidation().SetEnabled(true);
  uint64_t users_seen = cache.users_generation();
  uint64_t pages_seen = cache.pages_generation();
  // The load is in flight when the change arrives.
  cache.invalidation().Invalidate(kOther);
  auto answered = cache.StoreUser(Account(kId, "old@example.com"), users_seen);
  CHECK(boost::json::parse(answered->body).at("email").as_string() == "old@example.com");
  CHECK(cache.FindUser(kId) == nullptr);
  std::string key;
  cache.FindPage(FirstPage(25), key);
  cache.StorePage(key, PageOf(Account(kId, "old@example.com")), pages_seen);
  CHECK(cache.FindPage(FirstPage(25), key) == nullptr);
}

TEST_CASE("a record or page larger than its bound is answered but not kept", "[users_cache]") {
  UsersCache cache({.max_user_bytes = 1000, .max_page_bytes = 1000});
  cache.invalidation().SetEnabled(true);
  users::v1::User big = Account(kId, "big@example.com");
  (*big.mutable_attributes()->mutable_fields())["notes"].set_string_value(std::string(2000, 'x'));
  CHECK(cache.StoreUser(big, cache.users_generation())->body.size() > 1000);
  CHECK(cache.FindUser(kId) == nullptr);
  cache.StoreUser(Account(kOther, "small@example.com"), cache.users_generation());
  CHECK(cache.FindUser(kOther) != nullptr);
  std::string key;
  cache.FindPage(FirstPage(25), key);
  cache.StorePage(key, PageOf(big), cache.pages_generation());
  CHECK(cache.FindPage(FirstPage(25), key) == nullptr);
  cache.StorePage(key, PageOf(Account(kOther, "small@example.com")), cache.pages_generation());
  CHECK(cache.FindPage(FirstPage(25), key) != nullptr);
}

TEST_CASE("losing the watch drops everything and stops caching", "[users_cache]") {
  UsersCache cache;
  cache.invalidation().SetEnabled(true);
  cache.StoreUser(Account(kId, "a@example.com"), cache.users_generation());
  cache.invalidation().SetEnabled(false);  // PAUSED or the stream broke
  CHECK(cache.FindUser(kId) == nullptr);
  cache.StoreUser(Account(kId, "a@example.com"), cache.users_generation());
  CHECK(cache.FindUser(kId) == nullptr);
}

}  // namespace backoffice::bff::app
