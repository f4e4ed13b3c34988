#include "services/users/credentials/recovery_codes.h"

#include <catch2/catch.hpp>
#include <cctype>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "services/users/credentials/sodium_util.h"

namespace backoffice::users {
namespace {

constexpr char kUser[] = "01890a5d-ac96-774b-bcce-b302099a8057";
constexpr char kOtherUser[] = "01890a5d-ac96-774b-bcce-b302099a8058";

bool WellFormed(const std::string& code) {
  if (code.size() != 14 || code[4] != '-' || code[9] != '-') {
    return false;
  }
  for (size_t i = 0; i < code.size(); ++i) {
    if (i == 4 || i == 9) {
      continue;
    }
    if (std::string_view("0123456789abcdefghjkmnpqrstvwxyz").find(code[i]) ==
        std::string_view::npos) {
      return false;
    }
  }
  return true;
}

TEST_CASE("Ten distinct codes in xxxx-xxxx-xxxx form, each with its 32-byte hash") {
  RecoveryCodeSet set = GenerateRecoveryCodes(kUser);
  REQUIRE(set.codes.size() == 10);
  REQUIRE(set.hashes.size() == 10);
  std::set<std::string> distinct(set.codes.begin(), set.codes.end());
  CHECK(distinct.size() == 10);
  for (size_t i = 0; i < set.codes.size(); ++i) {
    CAPTURE(set.codes[i]);
    CHECK(WellFormed(set.codes[i]));
    CHECK(set.hashes[i].size() == 32);
    CHECK(set.hashes[i] == *HashRecoveryCode(set.codes[i], kUser));
    CHECK(set.hashes[i].find(set.codes[i]) == std::string::npos);
  }
  CHECK(GenerateRecoveryCodes(kUser, 3).codes.size() == 3);
  CHECK(GenerateRecoveryCodes(kUser, 0).codes.size() == 1);
}

TEST_CASE("The hash is a fixed, domain-separated SHA-256 (known answer)") {
  // SHA-256 of three little-endian 64-bit length-prefixed parts: the domain label, the user id
  // and the normalized code. Recomputed here byte by byte so a silent format change fails.
  auto part = [](std::string_view text) {
    std::string out;
    uint64_t size = text.size();
    for (int i = 0; i < 8; ++i) {
      out.push_back(static_cast<char>(size & 0xFF));
      size >>= 8;
    }
    return out + std::string(text);
  };
  const std::string message =
      part("backoffice.users.recovery_code.v1") + part(kUser) + part("ABCD0123EFGH");
  CHECK(*HashRecoveryCode("abcd-0123-efgh", kUser) == Sha256(message));
}

TEST_CASE("Input is normalized: case, dashes, spaces and Crockford look-alikes") {
  const std::string canonical = *HashRecoveryCode("ab1d-0123-efgh", kUser);
  for (const char* typed :
       {"AB1D-0123-EFGH", "ab1d 0123 efgh", " ab1d-0123-efgh\n", "abld-o123-efgh", "ABID-O123-EFGH",
        "ab-1d-01-23-ef-gh", "ab1d0123efgh"}) {
    CAPTURE(typed);
    absl::StatusOr<std::string> hash = HashRecoveryCode(typed, kUser);
    REQUIRE(hash.ok());
    CHECK(*hash == canonical);
  }
  CHECK(*HashRecoveryCode("ab1d-0123-efgj", kUser) != canonical);
  CHECK(*NormalizeRecoveryCode("abld-o123-efgh") == "AB1D0123EFGH");
}

TEST_CASE("Malformed input is INVALID_ARGUMENT") {
  for (const char* bad : {"", "abcd-0123", "abcd-0123-efgh-j", "abcd_0123_efgh", "abcd-0123-efgu",
                          "abcd-0123-ef+h", "äbcd-0123-efgh", "abcd-0123-efgh0"}) {
    CAPTURE(bad);
    CHECK(NormalizeRecoveryCode(bad).status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(HashRecoveryCode(bad, kUser).status().code() == absl::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("FindRecoveryCode finds each code, and nothing for wrong input or another user") {
  RecoveryCodeSet set = GenerateRecoveryCodes(kUser);
  for (size_t i = 0; i < set.codes.size(); ++i) {
    CAPTURE(i);
    CHECK(FindRecoveryCode(set.codes[i], kUser, set.hashes) == i);
    std::string upper = set.codes[i];
    for (char& c : upper) {
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    CHECK(FindRecoveryCode(upper, kUser, set.hashes) == i);
    CHECK_FALSE(FindRecoveryCode(set.codes[i], kOtherUser, set.hashes).has_value());
  }
  CHECK_FALSE(FindRecoveryCode("0000-0000-0000", kUser, set.hashes).has_value());
  CHECK_FALSE(FindRecoveryCode("garbage", kUser, set.hashes).has_value());
  CHECK_FALSE(FindRecoveryCode(set.codes[0], kUser, {}).has_value());

  // Used codes are removed by the caller; what is left still works, the removed one does not.
  std::vector<std::string> remaining(set.hashes.begin() + 1, set.hashes.end());
  CHECK_FALSE(FindRecoveryCode(set.codes[0], kUser, remaining).has_value());
  CHECK(FindRecoveryCode(set.codes[1], kUser, remaining) == 0);
}

TEST_CASE("Generated codes do not repeat across many sets") {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    for (std::string& code : GenerateRecoveryCodes(kUser).codes) {
      CHECK(seen.insert(code).second);
    }
  }
  CHECK(seen.size() == 2000);
}

}  // namespace
}  // namespace backoffice::users
