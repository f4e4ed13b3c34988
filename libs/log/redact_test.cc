#include "libs/log/redact.h"

#include <catch2/catch.hpp>

namespace backoffice::log {
namespace {

constexpr char kJwt[] =
    "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJ1c2VyLTEiLCJleHAiOjE3MDAwMDAwMDB9."
    "c2lnbmF0dXJlLWJ5dGVz_-A";

TEST_CASE("IsSecretKey matches secret-looking names in any case, also inside longer names") {
  for (const char* key : {"password", "db_password_file", "passwd", "client_secret", "token",
                          "refresh_token", "Authorization", "cookie", "Set-Cookie", "api_key",
                          "X-Api-Key", "apiKey", "private_key", "PrivateKey", "PASSWORD"}) {
    INFO(key);
    CHECK(IsSecretKey(key));
  }
  for (const char* key : {"user_id", "path", "status", "email", "port", "key_id", "pass"}) {
    INFO(key);
    CHECK_FALSE(IsSecretKey(key));
  }
}

TEST_CASE("RedactText masks emails keeping the first character and the domain") {
  CHECK(RedactText("alice@example.com") == "a***@example.com");
  CHECK(RedactText("invite sent to bob.smith+tag@mail.example.co.uk.") ==
        "invite sent to b***@mail.example.co.uk.");
  CHECK(RedactText("a@x.io, zed@corp.example") == "a***@x.io, z***@corp.example");
  CHECK(RedactText("<carol@example.org>") == "<c***@example.org>");
}

TEST_CASE("RedactText leaves things that are not emails alone") {
  CHECK(RedactText("user@localhost") == "user@localhost");
  CHECK(RedactText("@example.com") == "@example.com");
  CHECK(RedactText("meet @ noon") == "meet @ noon");
  CHECK(RedactText("x@y.z") == "x@y.z");  // One-letter top-level domain.
  CHECK(RedactText("nothing to see") == "nothing to see");
}

TEST_CASE("RedactText replaces JWTs") {
  CHECK(RedactText(kJwt) == "[REDACTED]");
  CHECK(RedactText(std::string("token=") + kJwt + " rest") == "token=[REDACTED] rest");
  CHECK(RedactText("unsigned eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0. done") ==
        "unsigned [REDACTED] done");
  // Not three segments, or not at a word start: left alone.
  CHECK(RedactText("eyJhbGciOiJub25lIn0.only-two") == "eyJhbGciOiJub25lIn0.only-two");
  CHECK(RedactText("keyJa.b.c") == "keyJa.b.c");
}

TEST_CASE("RedactText replaces bearer tokens whatever the case") {
  CHECK(RedactText("Authorization: Bearer abc123.DEF_-~+/=") == "Authorization: Bearer [REDACTED]");
  CHECK(RedactText("bearer  opaque-token, next") == "bearer  [REDACTED], next");
  CHECK(RedactText(std::string("BEARER ") + kJwt) == "BEARER [REDACTED]");
  CHECK(RedactText("the bearer of bad news") == "the bearer [REDACTED] bad news");
  CHECK(RedactText("forebearer") == "forebearer");
  CHECK(RedactText("bearer") == "bearer");
}

}  // namespace
}  // namespace backoffice::log
