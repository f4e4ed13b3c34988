#include "libs/auth/call_authenticator.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "libs/auth/bearer_token.h"
#include "libs/auth/service_accounts.h"
#include "libs/jwt/jwk.h"
#include "libs/jwt/key_set.h"
#include "libs/jwt/key_source.h"
#include "libs/jwt/multi_issuer_verifier.h"
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
TEST_CASE("a service key names service accounts only, never a user") {
  // The service issuer as a service loads it from its --service_jwks_file.
  absl::StatusOr<jwt::PrivateKey> service_key =
      jwt::PrivateKey::Generate(jwt::Algorithm::kEdDsa, "bff");
  REQUIRE(service_key.ok());
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string path = std::string(tmp != nullptr ? tmp : "/tmp") + "/service-keys.jwks";
  std::vector<jwt::PublicKey> published;
  published.push_back(*service_key->GetPublicKey());
  std::ofstream(path) << *jwt::WriteJwks(published);
  absl::StatusOr<std::optional<jwt::TrustedIssuer>> services =
      LoadServiceIssuer(path, {.audience = "backoffice-users"});
  std::remove(path.c_str());
  REQUIRE(services.ok());
  REQUIRE(services->has_value());
  absl::StatusOr<std::unique_ptr<jwt::MultiIssuerVerifier>> verifier =
      jwt::MultiIssuerVerifier::Create({**services});
  REQUIRE(verifier.ok());
  CallAuthenticator authenticator(std::shared_ptr<const jwt::TokenVerifier>(std::move(*verifier)));

  absl::Time now = absl::Now();
  auto signed_as = [&](const std::string& subject) {
    jwt::Claims claims;
    claims.iss = "backoffice-services";
    claims.sub = subject;
    claims.aud = {"backoffice-users"};
    claims.iat = now;
    claims.exp = now + absl::Minutes(5);
    absl::StatusOr<std::string> token = jwt::Sign(*service_key, claims);
    REQUIRE(token.ok());
    return "Bearer " + *token;
  };
  absl::StatusOr<Caller> service = authenticator.AuthenticateHeader(signed_as("service:bff"), now);
  REQUIRE(service.ok());
  CHECK(service->kind == Caller::Kind::kService);
  // A user's id (the BFF's key must not open that user's "self" calls).
  absl::StatusOr<Caller> user =
      authenticator.AuthenticateHeader(signed_as("0190a4c2-7d4e-7c3a-9a51-5f1d2e3c4b5a"), now);
  REQUIRE_FALSE(user.ok());
  CHECK(user.status().code() == absl::StatusCode::kUnauthenticated);
}

}  // namespace backoffice::auth
