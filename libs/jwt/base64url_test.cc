#include "libs/jwt/base64url.h"

#include <catch2/catch.hpp>

namespace backoffice::jwt {
namespace {

TEST_CASE("base64url encodes without padding (RFC 4648 test vectors)") {
  CHECK(Base64UrlEncode("") == "");
  CHECK(Base64UrlEncode("f") == "Zg");
  CHECK(Base64UrlEncode("fo") == "Zm8");
  CHECK(Base64UrlEncode("foo") == "Zm9v");
  CHECK(Base64UrlEncode("foob") == "Zm9vYg");
  CHECK(Base64UrlEncode("fooba") == "Zm9vYmE");
  CHECK(Base64UrlEncode("foobar") == "Zm9vYmFy");
  CHECK(Base64UrlEncode("\xfb\xff\xfe") == "-__-");  // the url-safe characters
}

TEST_CASE("base64url round trips every byte value and length") {
  std::string bytes;
  for (int i = 0; i < 256; ++i) {
    bytes.push_back(static_cast<char>(i));
    std::optional<std::string> decoded = Base64UrlDecode(Base64UrlEncode(bytes));
    REQUIRE(decoded.has_value());
    CHECK(*decoded == bytes);
  }
}

TEST_CASE("base64url decoding is strict") {
  CHECK(Base64UrlDecode("Zm9vYg") == std::optional<std::string>("foob"));
  SECTION("padding") { CHECK_FALSE(Base64UrlDecode("Zm9vYg==").has_value()); }
  SECTION("standard alphabet + and /") {
    CHECK_FALSE(Base64UrlDecode("-__+").has_value());
    CHECK_FALSE(Base64UrlDecode("-__/").has_value());
  }
  SECTION("whitespace") {
    CHECK_FALSE(Base64UrlDecode("Zm9v Yg").has_value());
    CHECK_FALSE(Base64UrlDecode("Zm9vYg\n").has_value());
  }
  SECTION("impossible length") { CHECK_FALSE(Base64UrlDecode("Zm9vY").has_value()); }
  SECTION("non-canonical trailing bits") {
    CHECK_FALSE(Base64UrlDecode("Zh").has_value());  // "f" is Zg; h sets an unused bit
    CHECK(Base64UrlDecode("Zm8") == std::optional<std::string>("fo"));
    CHECK_FALSE(Base64UrlDecode("Zm9").has_value());  // also "fo", low bits 01
    CHECK_FALSE(Base64UrlDecode("Zm-").has_value());  // also "fo", low bits 10
  }
  SECTION("NUL and high bytes") {
    CHECK_FALSE(Base64UrlDecode(std::string_view("Zm\0v", 4)).has_value());
    CHECK_FALSE(Base64UrlDecode("Zm\xc3\xa9v").has_value());
  }
}

}  // namespace
}  // namespace backoffice::jwt
