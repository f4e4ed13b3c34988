#include "services/users/credentials/totp.h"

#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "services/users/credentials/base32.h"

namespace backoffice::users {
namespace {

constexpr char kRfcSeed[] = "12345678901234567890";  // RFC 6238 appendix B, SHA1

absl::Time At(int64_t unix_seconds) { return absl::FromUnixSeconds(unix_seconds); }

TEST_CASE("HOTP matches RFC 4226 appendix D") {
  const char* expected[] = {"755224", "287082", "359152", "969429", "338314",
                            "254676", "287922", "162583", "399871", "520489"};
  Totp totp;
  for (int counter = 0; counter < 10; ++counter) {
    CAPTURE(counter);
    CHECK(totp.CodeAtStep(kRfcSeed, counter) == expected[counter]);
  }
}

TEST_CASE("TOTP matches RFC 6238 appendix B (SHA1, 8 digits)") {
  absl::StatusOr<Totp> totp = Totp::Create({.digits = 8, .period_seconds = 30});
  REQUIRE(totp.ok());
  const struct {
    int64_t time;
    int64_t step;
    const char* code;
  } vectors[] = {
      {59, 0x1, "94287082"},
      {1111111109, 0x23523EC, "07081804"},
      {1111111111, 0x23523ED, "14050471"},
      {1234567890, 0x273EF07, "89005924"},
      {2000000000, 0x3F940AA, "69279037"},
      {20000000000, 0x27BC86AA, "65353130"},
  };
  for (const auto& v : vectors) {
    CAPTURE(v.time);
    CHECK(totp->StepAt(At(v.time)) == v.step);
    CHECK(totp->CodeAt(kRfcSeed, At(v.time)) == v.code);
    std::optional<int64_t> step = totp->Verify(kRfcSeed, v.code, At(v.time), std::nullopt);
    REQUIRE(step.has_value());
    CHECK(*step == v.step);
  }
}

TEST_CASE("Six-digit codes keep leading zeros") {
  // RFC 6238's 1111111109 code is 07081804 in 8 digits, so 081804 in 6.
  Totp totp;
  CHECK(totp.CodeAt(kRfcSeed, At(1111111109)) == "081804");
  CHECK(totp.Verify(kRfcSeed, "081804", At(1111111109), std::nullopt).has_value());
  CHECK_FALSE(totp.Verify(kRfcSeed, "81804", At(1111111109), std::nullopt).has_value());
}

TEST_CASE("Verify accepts one step either side by default and nothing further") {
  Totp totp;
  const std::string secret(kRfcSeed);  // fixed, so no chance collision can make this flaky
  const absl::Time now = At(1700000000);
  const int64_t current = totp.StepAt(now);
  for (int64_t offset = -3; offset <= 3; ++offset) {
    CAPTURE(offset);
    const std::string code = totp.CodeAtStep(secret, current + offset);
    std::optional<int64_t> step = totp.Verify(secret, code, now, std::nullopt);
    if (offset >= -1 && offset <= 1) {
      CHECK(step == current + offset);
    } else {
      CHECK_FALSE(step.has_value());
    }
  }
  const std::string two_back = totp.CodeAtStep(secret, current - 2);
  CHECK(totp.Verify(secret, two_back, now, std::nullopt, /*window=*/2).has_value());
  CHECK_FALSE(totp.Verify(secret, totp.CodeAtStep(secret, current - 1), now, std::nullopt,
                          /*window=*/0)
                  .has_value());
}

TEST_CASE("A used step cannot be used again, nor an older one") {
  Totp totp;
  const std::string secret(kRfcSeed);
  const absl::Time now = At(1111111111);
  const int64_t current = totp.StepAt(now);
  const std::string code = totp.CodeAt(secret, now);
  std::optional<int64_t> first = totp.Verify(secret, code, now, std::nullopt);
  REQUIRE(first == current);
  // Replay of the same code, now and a few seconds later in the same step.
  CHECK_FALSE(totp.Verify(secret, code, now, first).has_value());
  CHECK_FALSE(totp.Verify(secret, code, now + absl::Seconds(5), first).has_value());
  // The previous step's code is still in the window but older than the used one.
  CHECK_FALSE(totp.Verify(secret, totp.CodeAtStep(secret, current - 1), now, first).has_value());
  // The next step's code is fresh.
  const std::string next = totp.CodeAtStep(secret, current + 1);
  CHECK(totp.Verify(secret, next, now + absl::Seconds(30), first) == current + 1);
}

TEST_CASE("Wrong and malformed codes are refused") {
  Totp totp;
  const absl::Time now = At(1234567890);
  const std::string right = totp.CodeAt(kRfcSeed, now);
  std::string wrong = right;
  wrong[5] = wrong[5] == '9' ? '0' : static_cast<char>(wrong[5] + 1);
  for (const std::string& bad :
       {wrong, std::string(""), right.substr(0, 5), right + "0", std::string("12345a"),
        std::string(" ") + right.substr(1), std::string("+12345"), std::string("-12345"),
        std::string("１２３４５６")}) {
    CAPTURE(bad);
    CHECK_FALSE(totp.Verify(kRfcSeed, bad, now, std::nullopt).has_value());
  }
  CHECK_FALSE(totp.Verify("another secret!!!!!!", right, now, std::nullopt).has_value());
}

TEST_CASE("Codes computed for random secrets verify at random times") {
  Totp totp;
  for (int i = 0; i < 500; ++i) {
    const std::string secret = Totp::GenerateSecret();
    REQUIRE(secret.size() == Totp::kSecretBytes);
    const absl::Time now = At(1600000000 + i * 7919);
    std::optional<int64_t> step = totp.Verify(secret, totp.CodeAt(secret, now), now, std::nullopt);
    REQUIRE(step.has_value());
    CHECK(*step >= totp.StepAt(now) - 1);
    CHECK(*step <= totp.StepAt(now));
  }
}

TEST_CASE("Steps use floor division, also before 1970") {
  Totp totp;
  CHECK(totp.StepAt(At(0)) == 0);
  CHECK(totp.StepAt(At(29)) == 0);
  CHECK(totp.StepAt(At(30)) == 1);
  CHECK(totp.StepAt(At(-1)) == -1);
  CHECK(totp.StepAt(At(-30)) == -1);
  CHECK(totp.StepAt(At(-31)) == -2);
}

TEST_CASE("Generated secrets are 20 random bytes, 32 base32 characters") {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string secret = Totp::GenerateSecret();
    CHECK(Base32Encode(secret).size() == 32);
    CHECK(seen.insert(secret).second);
  }
}

TEST_CASE("The otpauth URI names issuer and account, percent-encoded") {
  Totp totp;
  absl::StatusOr<std::string> uri = totp.Uri("Backoffice", "alice@example.com", kRfcSeed);
  REQUIRE(uri.ok());
  CHECK(*uri ==
        "otpauth://totp/Backoffice:alice%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        "&issuer=Backoffice&algorithm=SHA1&digits=6&period=30");

  absl::StatusOr<std::string> spaced = totp.Uri("ACME Back Office", "a+b&c=d?e/f@x.org", "x");
  REQUIRE(spaced.ok());
  CHECK(*spaced ==
        "otpauth://totp/ACME%20Back%20Office:a%2Bb%26c%3Dd%3Fe%2Ff%40x.org?secret=PA"
        "&issuer=ACME%20Back%20Office&algorithm=SHA1&digits=6&period=30");

  absl::StatusOr<std::string> unicode = totp.Uri("Bäckoffice", "zoë@example.com", "x");
  REQUIRE(unicode.ok());
  CHECK(*unicode ==
        "otpauth://totp/B%C3%A4ckoffice:zo%C3%AB%40example.com?secret=PA"
        "&issuer=B%C3%A4ckoffice&algorithm=SHA1&digits=6&period=30");
}

TEST_CASE("The URI refuses an empty or colon issuer, an empty account or secret") {
  Totp totp;
  CHECK(totp.Uri("", "a@example.com", "x").status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(totp.Uri("Back:office", "a@example.com", "x").status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(totp.Uri("Backoffice", "", "x").status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(totp.Uri("Backoffice", "a@example.com", "").status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("Create refuses digits outside 6..8 and periods below one second") {
  CHECK_FALSE(Totp::Create({.digits = 5}).ok());
  CHECK_FALSE(Totp::Create({.digits = 9}).ok());
  CHECK_FALSE(Totp::Create({.period_seconds = 0}).ok());
  CHECK(Totp::Create({.digits = 7, .period_seconds = 60}).ok());
}

}  // namespace
}  // namespace backoffice::users
