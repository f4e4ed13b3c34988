#include "services/users/store/user_validation.h"

#include <catch2/catch.hpp>
#include <string>

#include "absl/strings/match.h"

namespace backoffice::users {
namespace {

TEST_CASE("emails: the accepted subset, normalized domain") {
  for (const auto& [input, normalized] : std::vector<std::pair<std::string, std::string>>{
           {"ann@example.com", "ann@example.com"},
           {"Ann.Lee@Example.COM", "Ann.Lee@example.com"},
           {"a+tag@sub.example.co.uk", "a+tag@sub.example.co.uk"},
           {"o'brien@example.ie", "o'brien@example.ie"},
           {"x@xn--bcher-kva.ch", "x@xn--bcher-kva.ch"},
           {"!#$%&'*+/=?^_`{|}~-@example.org", "!#$%&'*+/=?^_`{|}~-@example.org"},
           {std::string(64, 'a') + "@example.com", std::string(64, 'a') + "@example.com"},
       }) {
    INFO(input);
    absl::StatusOr<std::string> email = NormalizeEmail(input);
    REQUIRE(email.ok());
    CHECK(*email == normalized);
  }
  // 256 bytes of otherwise valid labels.
  std::string long_domain = "a@" + std::string(63, 'b') + "." + std::string(63, 'c') + "." +
                            std::string(63, 'd') + "." + std::string(58, 'e') + ".com";
  for (const std::string& bad : {std::string(""),
                                 std::string("plain"),
                                 std::string("@example.com"),
                                 std::string("ann@"),
                                 std::string("ann@@example.com"),
                                 std::string("a@b@example.com"),
                                 std::string("ann.@example.com"),
                                 std::string("an..n@example.com"),
                                 std::string("\"ann\"@example.com"),
                                 std::string("ann@[192.0.2.1]"),
                                 std::string("ann@example"),
                                 std::string("ann@example.123"),
                                 std::string("ann@exa_mple.com"),
                                 std::string("ann@example-.com"),
                                 std::string("ann@.example.com"),
                                 std::string("ann@example..com"),
                                 std::string("jürgen@example.com"),
                                 std::string("ann@bücher.ch"),
                                 std::string("ann @example.com"),
                                 std::string("ann@example.com\n"),
                                 std::string(65, 'a') + "@example.com",
                                 long_domain}) {
    INFO(bad);
    absl::StatusOr<std::string> email = NormalizeEmail(bad);
    REQUIRE_FALSE(email.ok());
    CHECK(email.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(absl::StartsWith(email.status().message(), "user.email: "));
    if (bad.size() > 4) CHECK_FALSE(absl::StrContains(email.status().message(), bad));
  }
  CHECK(absl::StartsWith(NormalizeEmail("x", "email").status().message(), "email: "));
}

TEST_CASE("display names: trimmed, 1 to 200 code points, UTF-8, no control characters") {
  CHECK(*NormalizeDisplayName("  Ann Lee \t") == "Ann Lee");
  CHECK(NormalizeDisplayName(std::string(200, 'x')).ok());
  std::string cjk;
  for (int i = 0; i < 200; ++i) cjk += "\xe6\x9d\x8e";  // 李, 3 bytes
  CHECK(NormalizeDisplayName(cjk).ok());
  CHECK_FALSE(NormalizeDisplayName(cjk + "\xe6\x9d\x8e").ok());
  CHECK(NormalizeDisplayName("\xf0\x9f\x98\x80 smile").ok());  // 4-byte code point
  for (const std::string& bad :
       {std::string(""), std::string("   "), std::string(201, 'x'), std::string("tab\tinside"),
        std::string("nul\0x", 5), std::string("del\x7f"), std::string("c1\xc2\x85"),
        std::string("\xc0\xaf"),          // overlong '/'
        std::string("\xed\xa0\x80"),      // surrogate
        std::string("\xf4\x90\x80\x80"),  // beyond U+10FFFF
        std::string("cut\xe6\x9d")}) {
    INFO(bad);
    absl::StatusOr<std::string> name = NormalizeDisplayName(bad);
    REQUIRE_FALSE(name.ok());
    CHECK(absl::StartsWith(name.status().message(), "user.display_name: "));
  }
}

TEST_CASE("phone numbers, locales and time zones") {
  CHECK(ValidatePhoneNumber("").ok());
  CHECK(ValidatePhoneNumber("+41791234567").ok());
  CHECK(ValidatePhoneNumber("+12345678").ok());
  CHECK(ValidatePhoneNumber("+123456789012345").ok());
  for (const char* bad : {"41791234567", "+1234567", "+1234567890123456", "+41 79 123", "+"}) {
    INFO(bad);
    CHECK(absl::StartsWith(ValidatePhoneNumber(bad).message(), "user.phone_number: "));
  }
  for (const char* good : {"", "en", "de-CH", "zh-Hant-TW", "sr-Latn-RS", "es-419"}) {
    INFO(good);
    CHECK(ValidateLocale(good).ok());
  }
  for (const char* bad : {"e", "en_US", "en-", "-en", "1en", "en-toolongsubtag",
                          "en-US-aaaaaaaa-bbbbbbbb-cccccccc-ddd"}) {
    INFO(bad);
    CHECK(absl::StartsWith(ValidateLocale(bad).message(), "user.locale: "));
  }
  for (const char* good : {"", "UTC", "Europe/Zurich", "America/Argentina/Buenos_Aires"}) {
    INFO(good);
    CHECK(ValidateTimeZone(good).ok());
  }
  for (const char* bad :
       {"Mars/Olympus", "/etc/passwd", "../zoneinfo/UTC", "Europe//Zurich", "Europe/Zurich "}) {
    INFO(bad);
    CHECK(absl::StartsWith(ValidateTimeZone(bad).message(), "user.time_zone: "));
  }
}

TEST_CASE("attributes: a JSON object within 64 keys and 16 KiB, returned compact") {
  CHECK(*NormalizeAttributes("") == "{}");
  CHECK(*NormalizeAttributes(R"( { "a" : [1, 2], "b": {"c": null} } )") ==
        R"({"a":[1,2],"b":{"c":null}})");
  std::string keys64 = "{";
  for (int i = 0; i < 64; ++i) keys64 += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":0";
  CHECK(NormalizeAttributes(keys64 + "}").ok());
  CHECK_FALSE(NormalizeAttributes(keys64 + ",\"k64\":0}").ok());
  std::string exact = R"({"v":")" + std::string(16 * 1024 - 8, 'x') + "\"}";
  REQUIRE(exact.size() == 16 * 1024);
  CHECK(NormalizeAttributes(exact).ok());
  // Whitespace does not count: the compact form is measured.
  CHECK(NormalizeAttributes(R"({"v":   ")" + std::string(16 * 1024 - 8, 'x') + "\"}").ok());
  CHECK_FALSE(NormalizeAttributes(R"({"v":")" + std::string(16 * 1024 - 7, 'x') + "\"}").ok());
  for (const char* bad : {"[]", "1", "\"text\"", "null", "{", "{\"a\":}", "{'a':1}"}) {
    INFO(bad);
    absl::StatusOr<std::string> attributes = NormalizeAttributes(bad);
    REQUIRE_FALSE(attributes.ok());
    CHECK(absl::StartsWith(attributes.status().message(), "user.attributes: "));
  }
}

TEST_CASE("new user fields: display name defaults to the email's local part") {
  absl::StatusOr<UserFields> fields =
      NormalizeNewUserFields({.email = "Grace.Hopper@NAVY.mil", .display_name = "  "});
  REQUIRE(fields.ok());
  CHECK(fields->email == "Grace.Hopper@navy.mil");
  CHECK(fields->display_name == "Grace.Hopper");
  CHECK(fields->attributes == "{}");
}

}  // namespace
}  // namespace backoffice::users
