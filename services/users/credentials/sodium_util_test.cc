#include "services/users/credentials/sodium_util.h"

#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "absl/strings/escaping.h"

namespace backoffice::users {
namespace {

std::string Hex(const std::string& bytes) { return absl::BytesToHexString(bytes); }

TEST_CASE("Sha256 matches the FIPS 180-2 examples") {
  CHECK(Hex(Sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(Hex(Sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("ConstantTimeEquals compares bytes and lengths") {
  CHECK(ConstantTimeEquals("", ""));
  CHECK(ConstantTimeEquals("abc", "abc"));
  CHECK_FALSE(ConstantTimeEquals("abc", "abd"));
  CHECK_FALSE(ConstantTimeEquals("abc", "ab"));
  CHECK_FALSE(ConstantTimeEquals("", "a"));
  CHECK(ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0b", 3)));
  CHECK_FALSE(ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST_CASE("RandomBytes returns the size asked and does not repeat") {
  CHECK(RandomBytes(0).empty());
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string bytes = RandomBytes(16);
    REQUIRE(bytes.size() == 16);
    CHECK(seen.insert(bytes).second);
  }
}

TEST_CASE("EnsureSodiumInitialized can be called any number of times") {
  EnsureSodiumInitialized();
  EnsureSodiumInitialized();
  CHECK(RandomBytes(1).size() == 1);
}

}  // namespace
}  // namespace backoffice::users
