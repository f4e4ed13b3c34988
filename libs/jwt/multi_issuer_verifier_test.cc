#include "libs/jwt/multi_issuer_verifier.h"

#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include "libs/jwt/test_tokens.h"

namespace backoffice::jwt {
namespace {

namespace json = boost::json;

constexpr int64_t kNow = 1'700'000'000;
const absl::Time now = absl::FromUnixSeconds(kNow);

std::shared_ptr<KeySource> KeysOf(const PrivateKey& key) {
  std::vector<PublicKey> keys;
  keys.push_back(*key.GetPublicKey());
  return std::make_shared<StaticKeySource>(*KeySet::Create(std::move(keys)));
}

std::string Payload(std::string_view iss, std::string_view aud) {
  return json::serialize(
      json::object{{"iss", iss}, {"sub", "u"}, {"aud", aud}, {"exp", kNow + 60}, {"iat", kNow}});
}

std::unique_ptr<MultiIssuerVerifier> MakeMulti() {
  std::vector<TrustedIssuer> issuers;
  VerifierOptions users;
  users.audiences = {"backoffice"};
  issuers.push_back({"https://users.test", KeysOf(testing::RsaKey()), users});
  VerifierOptions idp;
  idp.audiences = {"backoffice-spa"};
  idp.allowed_typ = {"JWT", "at+jwt"};
  issuers.push_back({"https://idp.test", KeysOf(testing::EcKey()), idp});
  absl::StatusOr<std::unique_ptr<MultiIssuerVerifier>> multi =
      MultiIssuerVerifier::Create(std::move(issuers));
  REQUIRE(multi.ok());
  return *std::move(multi);
}

std::string Outcome(const TokenVerifier& verifier, std::string_view token) {
  absl::StatusOr<Claims> claims = verifier.Verify(token, now);
  if (claims.ok()) {
    return "OK:" + claims->iss;
  }
  CHECK(claims.status().code() == absl::StatusCode::kUnauthenticated);
  return std::string(claims.status().message());
}

TEST_CASE("each issuer's tokens verify with that issuer's keys and options") {
  std::unique_ptr<MultiIssuerVerifier> multi = MakeMulti();
  CHECK(Outcome(*multi, testing::SignedToken(R"({"alg":"RS256","typ":"at+jwt","kid":"rsa-1"})",
                                             Payload("https://users.test", "backoffice"),
                                             testing::RsaKey())) == "OK:https://users.test");
  CHECK(Outcome(*multi, testing::SignedToken(R"({"alg":"ES256","typ":"JWT","kid":"ec-1"})",
                                             Payload("https://idp.test", "backoffice-spa"),
                                             testing::EcKey())) == "OK:https://idp.test");
  // The users issuer keeps its own typ and audience rules.
  CHECK(Outcome(*multi, testing::SignedToken(R"({"alg":"RS256","typ":"JWT","kid":"rsa-1"})",
                                             Payload("https://users.test", "backoffice"),
                                             testing::RsaKey())) == "typ is not accepted");
  CHECK(Outcome(*multi, testing::SignedToken(R"({"alg":"RS256","typ":"at+jwt","kid":"rsa-1"})",
                                             Payload("https://users.test", "backoffice-spa"),
                                             testing::RsaKey())) ==
        "aud does not name this service");
}

TEST_CASE("a token cannot borrow another issuer's keys") {
  std::unique_ptr<MultiIssuerVerifier> multi = MakeMulti();
  // Signed by the users service's key but claiming the external issuer.
  CHECK(Outcome(*multi, testing::SignedToken(R"({"alg":"RS256","typ":"at+jwt","kid":"rsa-1"})",
                                             Payload("https://idp.test", "backoffice-spa"),
                                             testing::RsaKey())) == "kid is unknown");
  CHECK(Outcome(*multi, testing::SignedToken(R"({"alg":"RS256","typ":"at+jwt"})",
                                             Payload("https://idp.test", "backoffice-spa"),
                                             testing::RsaKey())) == "alg does not match the key");
}

TEST_CASE("unknown, missing or malformed iss is refused before any key is used") {
  std::unique_ptr<MultiIssuerVerifier> multi = MakeMulti();
  CHECK(Outcome(*multi, testing::SignedToken(R"({"alg":"RS256","typ":"at+jwt","kid":"rsa-1"})",
                                             Payload("https://evil.test", "backoffice"),
                                             testing::RsaKey())) == "iss is not trusted");
  CHECK(Outcome(*multi, testing::SignedToken(R"({"alg":"RS256","typ":"at+jwt","kid":"rsa-1"})",
                                             R"({"sub":"u","aud":"backoffice","exp":1700000060})",
                                             testing::RsaKey())) == "iss is missing");
  CHECK(Outcome(*multi, testing::SignedToken(R"({"alg":"RS256","typ":"at+jwt","kid":"rsa-1"})",
                                             R"({"iss":["https://users.test"],"exp":1700000060})",
                                             testing::RsaKey())) == "iss is not a string");
  CHECK(Outcome(*multi, "a.b") == "token does not have exactly 3 parts");
}

TEST_CASE("multi-issuer configuration is checked") {
  CHECK_FALSE(MultiIssuerVerifier::Create({}).ok());
  VerifierOptions options;
  options.audiences = {"a"};
  std::vector<TrustedIssuer> twice;
  twice.push_back({"https://x", KeysOf(testing::RsaKey()), options});
  twice.push_back({"https://x", KeysOf(testing::EcKey()), options});
  CHECK(MultiIssuerVerifier::Create(std::move(twice)).status().message() ==
        "issuer https://x is configured twice");
  std::vector<TrustedIssuer> no_audience;
  no_audience.push_back({"https://x", KeysOf(testing::RsaKey()), VerifierOptions{}});
  CHECK_FALSE(MultiIssuerVerifier::Create(std::move(no_audience)).ok());
}

}  // namespace
}  // namespace backoffice::jwt
