#include "services/users/credentials/opaque_token.h"

#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "absl/strings/match.h"
#include "services/users/credentials/sodium_util.h"

namespace backoffice::users {
namespace {

OpaqueTokenFormat Refresh() { return *OpaqueTokenFormat::Create(kRefreshTokenPrefix); }

TEST_CASE("Generated tokens are prefix + 43 base64url characters; the hash is SHA-256 of it") {
  const OpaqueTokenFormat format = Refresh();
  CHECK(format.token_length() == 46);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    OpaqueToken issued = format.Generate();
    REQUIRE(issued.token.size() == 46);
    CHECK(absl::StartsWith(issued.token, "rt_"));
    for (char c : issued.token.substr(3)) {
      CHECK(((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
             c == '-' || c == '_'));
    }
    CHECK(issued.hash.size() == 32);
    CHECK(issued.hash == Sha256(issued.token));
    absl::StatusOr<std::string> hash = format.HashOf(issued.token);
    REQUIRE(hash.ok());
    CHECK(*hash == issued.hash);
    CHECK(seen.insert(issued.token).second);
  }
}

TEST_CASE("HashOf is a fixed SHA-256 of the token text (known answer)") {
  // 32 zero bytes in base64url are 43 'A's.
  const std::string token = "rt_" + std::string(43, 'A');
  absl::StatusOr<std::string> hash = Refresh().HashOf(token);
  REQUIRE(hash.ok());
  CHECK(*hash == Sha256(token));
}

TEST_CASE("HashOf refuses anything that is not exactly a token of this kind") {
  const OpaqueTokenFormat format = Refresh();
  const std::string good = format.Generate().token;
  std::string last_bits = "rt_" + std::string(42, 'A') + "B";  // unused low bits set
  std::string bad_char = good;
  bad_char[10] = '+';
  std::string padded = good.substr(0, 45) + "=";
  const std::string challenge = OpaqueTokenFormat::Create(kChallengeTokenPrefix)->Generate().token;
  for (const std::string& bad :
       {std::string(), std::string("rt_"), good.substr(0, 45), good + "A", good.substr(3),
        "RT_" + good.substr(3), "xx" + good.substr(2), last_bits, bad_char, padded,
        std::string(good).replace(20, 1, " "), std::string(good).replace(20, 1, "\0", 1),
        std::string(good).replace(5, 1, "/"), challenge, std::string(46, '\xff'),
        std::string(1000, 'A')}) {
    CAPTURE(bad);
    absl::StatusOr<std::string> hash = format.HashOf(bad);
    REQUIRE(hash.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(hash.status().message() == "token: malformed");
  }
}

TEST_CASE("An empty prefix gives bare 43-character tokens") {
  absl::StatusOr<OpaqueTokenFormat> bare = OpaqueTokenFormat::Create("");
  REQUIRE(bare.ok());
  OpaqueToken issued = bare->Generate();
  CHECK(issued.token.size() == 43);
  CHECK(*bare->HashOf(issued.token) == issued.hash);
  CHECK_FALSE(bare->HashOf("rt_" + issued.token).ok());
}

TEST_CASE("Prefixes are short lower-case identifiers") {
  CHECK(OpaqueTokenFormat::Create("rt_").ok());
  CHECK(OpaqueTokenFormat::Create("abcdefghijklmnop").ok());
  for (const char* bad : {"RT_", "rt-", "rt ", "abcdefghijklmnopq", "r\xc3\xa9_"}) {
    CAPTURE(bad);
    CHECK(OpaqueTokenFormat::Create(bad).status().code() == absl::StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace backoffice::users
