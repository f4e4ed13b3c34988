#include "libs/auth/call_authenticator.h"

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "libs/auth/bearer_token.h"
#include "libs/jwt/key_set.h"
#include "libs/jwt/key_source.h"
#include "libs/jwt/signer.h"
#include "libs/jwt/verifier.h"

namespace backoffice::auth {
namespace {

const jwt::PrivateKey& SigningKey() {
  static const auto* key =
      new jwt::PrivateKey(*jwt::PrivateKey::Generate(jwt::Algorithm::kRs256, "k1"));
  return *key;
}

CallAuthenticator MakeAuthenticator() {
  std::vector<jwt::PublicKey> keys;
  keys.push_back(*SigningKey().GetPublicKey());
  auto source = std::make_shared<jwt::StaticKeySource>(*jwt::KeySet::Create(std::move(keys)));
  absl::StatusOr<std::unique_ptr<jwt::Verifier>> verifier = jwt::Verifier::Create(
      {.issuers = {"backoffice-users"}, .audiences = {"backoffice"}}, std::move(source));
  REQUIRE(verifier.ok());
  return CallAuthenticator(std::shared_ptr<const jwt::TokenVerifier>(std::move(*verifier)));
}

std::string Token(const std::string& subject, absl::Time now, absl::Duration lifetime) {
  jwt::Claims claims;
  claims.iss = "backoffice-users";
  claims.sub = subject;
  claims.aud = {"backoffice"};
  claims.iat = now;
  claims.exp = now + lifetime;
  claims.jti = "token-1";
  claims.sid = "session-1";
  absl::StatusOr<std::string> token = jwt::Sign(SigningKey(), claims);
  REQUIRE(token.ok());
  return *token;
}

TEST_CASE("BearerToken accepts the Bearer scheme only") {
  CHECK(*BearerToken("Bearer abc.def-_~+/=") == "abc.def-_~+/=");
  CHECK(*BearerToken("bearer abc") == "abc");
  CHECK(*BearerToken("BEARER abc") == "abc");
  for (const char* bad : {"", "Bearer", "Bearer ", "Basic dXNlcjpwdw==", "Bearer  abc",
                          "Bearer abc def", "Bearer a\"b", "Bearer ===", "Token abc"}) {
    INFO(bad);
    absl::StatusOr<std::string_view> token = BearerToken(bad);
    REQUIRE_FALSE(token.ok());
    CHECK(token.status().code() == absl::StatusCode::kUnauthenticated);
  }
}

TEST_CASE("a valid token becomes the caller") {
  CallAuthenticator authenticator = MakeAuthenticator();
  absl::Time now = absl::Now();
  absl::StatusOr<Caller> caller = authenticator.AuthenticateHeader(
      "Bearer " + Token("0190f5f4-7f6a-7c3e-9a1b-2b3c4d5e6f70", now, absl::Minutes(15)), now);
  REQUIRE(caller.ok());
  CHECK(caller->kind == Caller::Kind::kUser);
  CHECK(caller->id == "0190f5f4-7f6a-7c3e-9a1b-2b3c4d5e6f70");
  CHECK(caller->session_id == "session-1");
  CHECK(caller->token_id == "token-1");
  CHECK(caller->issuer == "backoffice-users");
  CHECK(std::string(caller->KindName()) == "user");
}

TEST_CASE("a service account's subject makes a service caller") {
  CallAuthenticator authenticator = MakeAuthenticator();
  absl::Time now = absl::Now();
  absl::StatusOr<Caller> caller = authenticator.AuthenticateHeader(
      "Bearer " + Token("service:audit", now, absl::Minutes(5)), now);
  REQUIRE(caller.ok());
  CHECK(caller->kind == Caller::Kind::kService);
  CHECK(std::string(caller->KindName()) == "service");
}

TEST_CASE("missing, expired and forged tokens are refused") {
  CallAuthenticator authenticator = MakeAuthenticator();
  absl::Time now = absl::Now();
  CHECK(authenticator.AuthenticateHeader("", now).status().code() ==
        absl::StatusCode::kUnauthenticated);
  std::string expired = Token("u1", now - absl::Hours(1), absl::Minutes(15));
  CHECK(authenticator.AuthenticateHeader("Bearer " + expired, now).status().code() ==
        absl::StatusCode::kUnauthenticated);
  std::string token = Token("u1", now, absl::Minutes(15));
  token.back() = token.back() == 'A' ? 'B' : 'A';  // break the signature
  CHECK(authenticator.AuthenticateHeader("Bearer " + token, now).status().code() ==
        absl::StatusCode::kUnauthenticated);
  CHECK(authenticator.AuthenticateHeader("Bearer " + Token("", now, absl::Minutes(5)), now)
            .status()
            .code() == absl::StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace backoffice::auth
