#include "services/users/credentials/base32.h"

#include <catch2/catch.hpp>
#include <string>

#include "services/users/credentials/sodium_util.h"

namespace backoffice::users {
namespace {

TEST_CASE("Base32 matches the RFC 4648 section 10 test vectors without padding") {
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},
      {"f", "MY"},
      {"fo", "MZXQ"},
      {"foo", "MZXW6"},
      {"foob", "MZXW6YQ"},
      {"fooba", "MZXW6YTB"},
      {"foobar", "MZXW6YTBOI"},
  };
  for (const auto& [bytes, text] : vectors) {
    CAPTURE(bytes);
    CHECK(Base32Encode(bytes) == text);
    absl::StatusOr<std::string> decoded = Base32Decode(text);
    REQUIRE(decoded.ok());
    CHECK(*decoded == bytes);
  }
}

TEST_CASE("Base32 of the RFC 6238 SHA1 seed is the familiar authenticator secret") {
  CHECK(Base32Encode("12345678901234567890") == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
}

TEST_CASE("Base32 decodes lower case") {
  absl::StatusOr<std::string> decoded = Base32Decode("mzxw6ytboi");
  REQUIRE(decoded.ok());
  CHECK(*decoded == "foobar");
}

TEST_CASE("Base32 round-trips random bytes of every length up to 64") {
  for (size_t length = 0; length <= 64; ++length) {
    for (int repeat = 0; repeat < 20; ++repeat) {
      const std::string bytes = RandomBytes(length);
      const std::string text = Base32Encode(bytes);
      CHECK(text.size() == (length * 8 + 4) / 5);
      absl::StatusOr<std::string> decoded = Base32Decode(text);
      REQUIRE(decoded.ok());
      CHECK(*decoded == bytes);
    }
  }
}

TEST_CASE("Base32 rejects characters outside the alphabet, padding and impossible lengths") {
  for (const char* bad : {"MZXW6YT=", "MZXW6YT1", "MZXW 6YT", "MZXW6YT0", "MZXW6YT8", "M", "MZX",
                          "MZXW6Y", "MZXW6YTBO", "MZXW6Y====", "Ä"}) {
    CAPTURE(bad);
    absl::StatusOr<std::string> decoded = Base32Decode(bad);
    CHECK(decoded.status().code() == absl::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("Base32 rejects non-zero unused bits, so each value has one text form") {
  // "MY" is "f"; "MZ" differs only in the two bits after the 8 that carry data.
  CHECK_FALSE(Base32Decode("MZ").ok());
  CHECK_FALSE(Base32Decode("MZXR").ok());  // "fo" is MZXQ
  CHECK(Base32Decode("MY").ok());
}

}  // namespace
}  // namespace backoffice::users
