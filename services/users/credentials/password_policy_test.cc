#include "services/users/credentials/password_policy.h"

#include <catch2/catch.hpp>
#include <string>

#include "absl/strings/match.h"
#include "services/users/credentials/common_passwords_txt.h"

namespace backoffice::users {
namespace {

const PasswordPolicy& Policy() {
  static const PasswordPolicy* policy = new PasswordPolicy();
  return *policy;
}

// The message of a refusal, which must be INVALID_ARGUMENT naming the password field.
std::string Refusal(std::string_view password, std::string_view email = "alice@example.com",
                    std::string_view display_name = "Alice Liddell") {
  absl::Status status = Policy().Check(password, email, display_name);
  if (status.ok()) {
    return "ok";
  }
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  const std::string message(status.message());
  CHECK(absl::StartsWith(message, "password: "));
  return message;
}

TEST_CASE("Ordinary strong passwords pass") {
  for (const char* password :
       {"plum orchard telescope ninety", "Tr0ub4dor&3-but-longer", "zwölf Zeichen!",
        "пароль-надёжный-1", "日本語のパスワードですよ", "a1b2c3d4e5f6g", "            x"}) {
    CAPTURE(password);
    CHECK(Refusal(password) == "ok");
  }
}

TEST_CASE("The minimum counts code points, not bytes") {
  // 11 characters but 22 bytes: refused; 12 characters: accepted.
  CHECK(Refusal("ääääääääääb") == "password: must be at least 12 characters");
  CHECK(Refusal("äääääääääääb") == "ok");
  CHECK(Refusal("abcdefghijk") == "password: must be at least 12 characters");
  CHECK(Refusal("abcdefghijkm") == "ok");
  CHECK(Refusal("") == "password: must be at least 12 characters");
}

TEST_CASE("The maximum is 128 characters and 1024 bytes") {
  std::string at_limit = "b" + std::string(127, 'a');
  CHECK(Refusal(at_limit) == "ok");
  CHECK(Refusal(at_limit + "a") == "password: must be at most 128 characters");
  // 128 four-byte characters are 512 bytes: fine by bytes, by characters exactly at the limit.
  std::string emoji;
  for (int i = 0; i < 127; ++i) {
    emoji += "😀";
  }
  CHECK(Refusal(emoji + "x") == "ok");
  CHECK(Refusal(std::string(1025, 'a')) == "password: must be at most 1024 bytes");
}

TEST_CASE("Invalid UTF-8 is refused") {
  for (const std::string& bad : {
           std::string("valid-prefix\xff-tail"),
           std::string("overlong-slash-\xc0\xaf-x"),         // overlong '/'
           std::string("surrogate-\xed\xa0\x80-xxxxxx"),     // U+D800
           std::string("beyond-unicode-\xf4\x90\x80\x80x"),  // U+110000
           std::string("truncated-at-the-end-\xe2\x82"),
           std::string("lone-continuation-\x80-xxxxx"),
       }) {
    CAPTURE(bad);
    CHECK(Refusal(bad) == "password: must be valid UTF-8");
  }
}

TEST_CASE("Control characters are refused, spaces are not") {
  for (const std::string& bad :
       {std::string("tab\tinside-password"), std::string("newline\ninside-pass"),
        std::string("nul\0inside-password", 20), std::string("delete\x7finside-pass"),
        std::string("c1-control-\xc2\x85-inside")}) {
    CAPTURE(bad);
    CHECK(Refusal(bad) == "password: must not contain control characters");
  }
  CHECK(Refusal("spaces are fine here") == "ok");
}

TEST_CASE("A single repeated character is refused") {
  CHECK(Refusal("aaaaaaaaaaaa") == "password: must not be a single repeated character");
  CHECK(Refusal("éééééééééééééé") == "password: must not be a single repeated character");
  CHECK(Refusal("aaaaaaaaaaab") == "ok");
}

TEST_CASE("The email and its local part are refused, ignoring ASCII case") {
  const std::string refusal = "password: must not contain the email address or its local part";
  CHECK(Refusal("Alice.Wonder@Example.com", "alice.wonder@example.com") == refusal);
  CHECK(Refusal("ALICE.WONDER", "alice.wonder@example.com") == refusal);
  CHECK(Refusal("ALICE.WONDERLAND", "alice.wonderland@example.com") == refusal);
  CHECK(Refusal("my-alice.wonderland-2024", "alice.wonderland@example.com") == refusal);
  CHECK(Refusal("x-alice.wonderland@example.com-x", "alice.wonderland@example.com") == refusal);
  // A local part shorter than 4 bytes is only refused when equal (which length already stops).
  CHECK(Refusal("bob-builder-yes-we-can", "bob@example.com") == "ok");
  CHECK(Refusal("robert-builder-we-can", "robert@example.com") == refusal);
  CHECK(Refusal("some strong password", "") == "ok");
}

TEST_CASE("The display name is refused, ignoring ASCII case") {
  const std::string refusal = "password: must not contain the display name";
  CHECK(Refusal("Alice Liddell", "x@example.com", "alice liddell") == refusal);
  CHECK(Refusal("i am alice liddell!", "x@example.com", "Alice Liddell") == refusal);
  CHECK(Refusal("i am alice liddell!", "x@example.com", "") == "ok");
  CHECK(Refusal("Al is not a long name", "x@example.com", "Al") == "ok");
}

TEST_CASE("Common passwords are refused, ignoring ASCII case") {
  CHECK(Policy().common_password_count() >= 200);
  for (const char* common :
       {"password1234", "Password1234", "qwertyuiop123", "1q2w3e4r5t6y", "iloveyou1234",
        "123456789012", "correcthorsebatterystaple", "P@ssw0rd1234", "administrator"}) {
    CAPTURE(common);
    CHECK(Policy().IsCommon(common));
    CHECK(Refusal(common, "x@example.com", "") ==
          "password: is too common; choose a less predictable password");
  }
  CHECK_FALSE(Policy().IsCommon("this one is not on any list"));
  CHECK_FALSE(Policy().IsCommon("# Common passwords of 12 or more characters, typed by hand"));
}

TEST_CASE("Every entry of the common list is reachable: only the common rule refuses it") {
  // An entry that an earlier rule (length, UTF-8, control characters, repetition) refuses first
  // would be dead weight in the list.
  std::string_view text = kCommonPasswordsText;
  size_t entries = 0;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (line.empty() || line.substr(0, 2) == "# ") {
      continue;
    }
    ++entries;
    CAPTURE(line);
    CHECK(Refusal(line, "", "") == "password: is too common; choose a less predictable password");
  }
  CHECK(entries == Policy().common_password_count());
}

}  // namespace
}  // namespace backoffice::users
