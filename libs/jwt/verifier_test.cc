#include "libs/jwt/verifier.h"

#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include "libs/jwt/base64url.h"
#include "libs/jwt/jwk.h"
#include "libs/jwt/signature.h"
#include "libs/jwt/signer.h"
#include "libs/jwt/test_http_server.h"
#include "libs/jwt/test_tokens.h"

namespace backoffice::jwt {
namespace {

namespace json = boost::json;
using testing::EcKey;
using testing::EdKey;
using testing::RsaKey;
using testing::SignedToken;
using testing::TokenWithSignature;

constexpr int64_t kNow = 1'700'000'000;
const absl::Time now = absl::FromUnixSeconds(kNow);

std::shared_ptr<KeySource> TrustedKeys() {
  std::vector<PublicKey> keys;
  for (const PrivateKey* key : {&RsaKey(), &EcKey(), &EdKey()}) {
    keys.push_back(*key->GetPublicKey());
  }
  return std::make_shared<StaticKeySource>(*KeySet::Create(std::move(keys)));
}

VerifierOptions Options() {
  VerifierOptions options;
  options.issuers = {"https://users.test"};
  options.audiences = {"backoffice"};
  return options;
}

std::unique_ptr<Verifier> MakeVerifier(VerifierOptions options = Options(),
                                       std::shared_ptr<KeySource> keys = TrustedKeys()) {
  absl::StatusOr<std::unique_ptr<Verifier>> verifier =
      Verifier::Create(std::move(options), std::move(keys));
  REQUIRE(verifier.ok());
  return *std::move(verifier);
}

json::object GoodPayload() {
  return json::object{{"iss", "https://users.test"},
                      {"sub", "user-1"},
                      {"aud", "backoffice"},
                      {"exp", kNow + 600},
                      {"iat", kNow},
                      {"jti", "jti-1"},
                      {"sid", "sid-1"}};
}

std::string P(const json::object& payload) { return json::serialize(payload); }

constexpr std::string_view kRsaHeader = R"({"alg":"RS256","typ":"at+jwt","kid":"rsa-1"})";

// The verification outcome: "OK" or the error message. Every failure must be UNAUTHENTICATED.
std::string Outcome(const TokenVerifier& verifier, std::string_view token) {
  absl::StatusOr<Claims> claims = verifier.Verify(token, now);
  if (claims.ok()) {
    return "OK";
  }
  CHECK(claims.status().code() == absl::StatusCode::kUnauthenticated);
  return std::string(claims.status().message());
}

std::string WithPayload(const json::object& payload) {
  return SignedToken(kRsaHeader, P(payload), RsaKey());
}

TEST_CASE("signed tokens verify for RS256, ES256 and EdDSA") {
  std::unique_ptr<Verifier> verifier = MakeVerifier();
  for (const PrivateKey* key : {&RsaKey(), &EcKey(), &EdKey()}) {
    INFO(AlgorithmName(key->algorithm()));
    Claims claims;
    claims.iss = "https://users.test";
    claims.sub = "user-7";
    claims.aud = {"backoffice", "audit"};
    claims.exp = now + absl::Minutes(15);
    claims.iat = now;
    claims.nbf = now;
    claims.jti = "j";
    claims.sid = "s";
    claims.scope = "users:read users:write";
    claims.roles = {"admin"};
    claims.payload["tenant"] = "acme";
    absl::StatusOr<std::string> token = Sign(*key, claims);
    REQUIRE(token.ok());
    absl::StatusOr<Claims> verified = verifier->Verify(*token, now);
    REQUIRE(verified.ok());
    CHECK(verified->iss == "https://users.test");
    CHECK(verified->sub == "user-7");
    CHECK(verified->aud == std::vector<std::string>{"backoffice", "audit"});
    CHECK(verified->exp == claims.exp);
    CHECK(verified->iat == now);
    CHECK(verified->nbf == now);
    CHECK(verified->jti == "j");
    CHECK(verified->sid == "s");
    CHECK(verified->HasScope("users:write"));
    CHECK_FALSE(verified->HasScope("users"));
    CHECK(verified->roles == std::vector<std::string>{"admin"});
    CHECK(verified->typ == "at+jwt");
    CHECK(verified->kid == key->kid());
    CHECK(verified->payload.at("tenant").as_string() == "acme");
  }
}

TEST_CASE("the signer writes alg, typ and kid and refuses claims without exp") {
  absl::StatusOr<std::string> token = Sign(EcKey(), GoodPayload());
  REQUIRE(token.ok());
  std::string header = *Base64UrlDecode(token->substr(0, token->find('.')));
  CHECK(header == R"({"alg":"ES256","typ":"at+jwt","kid":"ec-1"})");
  Claims no_exp;
  no_exp.iss = "x";
  CHECK(Sign(RsaKey(), no_exp).status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("alg none is refused in any spelling") {
  std::unique_ptr<Verifier> verifier = MakeVerifier();
  for (std::string alg : {"none", "NONE", "None", "nOnE"}) {
    std::string header = R"({"alg":")" + alg + R"(","typ":"at+jwt","kid":"rsa-1"})";
    CHECK(Outcome(*verifier, TokenWithSignature(header, P(GoodPayload()), "")) ==
          "alg none is not accepted");
  }
}

TEST_CASE("HMAC is refused, in particular HS256 keyed with the RSA public key") {
  std::unique_ptr<Verifier> verifier = MakeVerifier();
  std::string public_pem = *RsaKey().GetPublicKey()->ToPem();
  for (std::string alg : {"HS256", "HS384", "HS512", "hs256"}) {
    std::string header = R"({"alg":")" + alg + R"(","typ":"at+jwt","kid":"rsa-1"})";
    std::string input = Base64UrlEncode(header) + "." + Base64UrlEncode(P(GoodPayload()));
    std::string token = input + "." + Base64UrlEncode(testing::HmacSha256(public_pem, input));
    CHECK(Outcome(*verifier, token) == "HMAC algorithms are not accepted");
  }
}

TEST_CASE("unsupported, missing or non-string alg is refused") {
  std::unique_ptr<Verifier> verifier = MakeVerifier();
  for (std::string alg : {"RS512", "PS256", "ES384", "rs256", "EdDSA "}) {
    std::string header = R"({"alg":")" + alg + R"(","typ":"at+jwt","kid":"rsa-1"})";
    CHECK(Outcome(*verifier, SignedToken(header, P(GoodPayload()), RsaKey())) ==
          "alg is not supported");
  }
  CHECK(Outcome(*verifier, SignedToken(R"({"typ":"at+jwt","kid":"rsa-1"})", P(GoodPayload()),
                                       RsaKey())) == "alg is missing");
  CHECK(Outcome(*verifier, SignedToken(R"({"alg":["RS256"],"typ":"at+jwt","kid":"rsa-1"})",
                                       P(GoodPayload()), RsaKey())) == "alg is not a string");
}

TEST_CASE("a key is only used with its own algorithm") {
  std::unique_ptr<Verifier> verifier = MakeVerifier();
  SECTION("ES256 header naming the RSA key") {
    CHECK(Outcome(*verifier, SignedToken(R"({"alg":"ES256","typ":"at+jwt","kid":"rsa-1"})",
                                         P(GoodPayload()), EcKey())) ==
          "alg does not match the key");
  }
  SECTION("RS256 header naming the EC key") {
    CHECK(Outcome(*verifier, SignedToken(R"({"alg":"RS256","typ":"at+jwt","kid":"ec-1"})",
                                         P(GoodPayload()), RsaKey())) ==
          "alg does not match the key");
  }
  SECTION("EdDSA header naming the EC key") {
    CHECK(Outcome(*verifier, SignedToken(R"({"alg":"EdDSA","typ":"at+jwt","kid":"ec-1"})",
                                         P(GoodPayload()), EdKey())) ==
          "alg does not match the key");
  }
}

TEST_CASE("kid selection") {
  std::unique_ptr<Verifier> verifier = MakeVerifier();
  SECTION("unknown kid") {
    CHECK(Outcome(*verifier, SignedToken(R"({"alg":"RS256","typ":"at+jwt","kid":"rsa-9"})",
                                         P(GoodPayload()), RsaKey())) == "kid is unknown");
  }
  SECTION("non-string kid") {
    CHECK(Outcome(*verifier, SignedToken(R"({"alg":"RS256","typ":"at+jwt","kid":1})",
                                         P(GoodPayload()), RsaKey())) == "kid is not a string");
    CHECK(Outcome(*verifier, SignedToken(R"({"alg":"RS256","typ":"at+jwt","kid":null})",
                                         P(GoodPayload()), RsaKey())) == "kid is not a string");
  }
  SECTION("missing kid with several keys") {
    CHECK(Outcome(*verifier, SignedToken(R"({"alg":"RS256","typ":"at+jwt"})", P(GoodPayload()),
                                         RsaKey())) == "kid is missing and there are several keys");
  }
  SECTION("missing kid with a single key") {
    std::vector<PublicKey> keys;
    keys.push_back(*RsaKey().GetPublicKey());
    std::unique_ptr<Verifier> single = MakeVerifier(
        Options(), std::make_shared<StaticKeySource>(*KeySet::Create(std::move(keys))));
    CHECK(Outcome(*single, SignedToken(R"({"alg":"RS256","typ":"at+jwt"})", P(GoodPayload()),
                                       RsaKey())) == "OK");
  }
  SECTION("no keys at all") {
    std::unique_ptr<Verifier> none =
        MakeVerifier(Options(), std::make_shared<StaticKeySource>(KeySet()));
    CHECK(Outcome(*none, SignedToken(R"({"alg":"RS256","typ":"at+jwt"})", P(GoodPayload()),
                                     RsaKey())) == "no keys to verify with");
  }
}

TEST_CASE("jku, x5u, jwk and x5c headers are ignored: never fetched, never trusted") {
  std::unique_ptr<Verifier> verifier = MakeVerifier();
  // The attacker publishes their own key and points the token at it.
  absl::StatusOr<PrivateKey> attacker = PrivateKey::Generate(Algorithm::kEs256, "attacker");
  REQUIRE(attacker.ok());
  std::vector<PublicKey> attacker_keys;
  attacker_keys.push_back(*attacker->GetPublicKey());
  std::string attacker_jwks = *WriteJwks(attacker_keys);
  testing::TestHttpServer server(
      [&](const std::string&) { return testing::HttpResponse(200, attacker_jwks); });
  std::string url = server.Url("/jwks.json");
  std::string attacker_jwk = json::serialize(*attacker->GetPublicKey()->ToJwk());

  SECTION("jku or x5u naming the attacker's JWKS") {
    for (std::string member : {"jku", "x5u"}) {
      std::string header =
          R"({"alg":"ES256","typ":"at+jwt","kid":"attacker",")" + member + R"(":")" + url + "\"}";
      CHECK(Outcome(*verifier, SignedToken(header, P(GoodPayload()), *attacker)) ==
            "kid is unknown");
    }
  }
  SECTION("jwk embedding the attacker's key under a trusted kid") {
    std::string header =
        R"({"alg":"ES256","typ":"at+jwt","kid":"ec-1","jwk":)" + attacker_jwk + "}";
    CHECK(Outcome(*verifier, SignedToken(header, P(GoodPayload()), *attacker)) ==
          "signature does not verify");
  }
  SECTION("a genuine token carrying those headers still verifies") {
    std::string header = R"({"alg":"RS256","typ":"at+jwt","kid":"rsa-1","jku":")" + url +
                         R"(","x5u":")" + url + R"(","x5c":["MIIB"],"jwk":)" + attacker_jwk + "}";
    CHECK(Outcome(*verifier, SignedToken(header, P(GoodPayload()), RsaKey())) == "OK");
  }
  CHECK(server.requests() == 0);
}

TEST_CASE("crit is refused") {
  std::unique_ptr<Verifier> verifier = MakeVerifier();
  CHECK(Outcome(*verifier,
                SignedToken(R"({"alg":"RS256","typ":"at+jwt","kid":"rsa-1","crit":["exp"]})",
                            P(GoodPayload()), RsaKey())) == "crit header is not supported");
  CHECK(Outcome(*verifier,
                SignedToken(
                    R"({"alg":"RS256","typ":"at+jwt","kid":"rsa-1","b64":false,"crit":["b64"]})",
                    P(GoodPayload()), RsaKey())) == "crit header is not supported");
}

TEST_CASE("signature length and value") {
  std::unique_ptr<Verifier> verifier = MakeVerifier();
  std::string token = WithPayload(GoodPayload());
  std::string input = token.substr(0, token.rfind('.'));
  std::string signature = *Base64UrlDecode(token.substr(token.rfind('.') + 1));
  SECTION("RS256 signature one byte short") {
    CHECK(Outcome(*verifier, input + "." + Base64UrlEncode(signature.substr(1))) ==
          "signature has the wrong length");
  }
  SECTION("empty signature") {
    CHECK(Outcome(*verifier, input + ".") == "signature has the wrong length");
  }
  SECTION("ES256 signature in DER instead of R||S") {
    std::string es =
        SignedToken(R"({"alg":"ES256","typ":"at+jwt","kid":"ec-1"})", P(GoodPayload()), EcKey());
    std::string es_input = es.substr(0, es.rfind('.'));
    // Build the DER form of the same signature: SEQUENCE { INTEGER r, INTEGER s }.
    std::string raw = *Base64UrlDecode(es.substr(es.rfind('.') + 1));
    REQUIRE(raw.size() == 64);
    auto integer = [](std::string bytes) {
      while (bytes.size() > 1 && bytes[0] == '\0' && !(bytes[1] & 0x80)) {
        bytes.erase(0, 1);
      }
      if (bytes[0] & 0x80) {
        bytes.insert(0, 1, '\0');
      }
      return std::string("\x02", 1) + static_cast<char>(bytes.size()) + bytes;
    };
    std::string body = integer(raw.substr(0, 32)) + integer(raw.substr(32));
    std::string der = std::string("\x30", 1) + static_cast<char>(body.size()) + body;
    CHECK(Outcome(*verifier, es_input + "." + Base64UrlEncode(der)) ==
          "signature has the wrong length");
    CHECK(Outcome(*verifier, es) == "OK");
  }
  SECTION("one flipped bit") {
    signature[17] ^= 0x01;
    CHECK(Outcome(*verifier, input + "." + Base64UrlEncode(signature)) ==
          "signature does not verify");
  }
  SECTION("signed by another RSA key under the trusted kid") {
    CHECK(Outcome(*verifier, SignedToken(kRsaHeader, P(GoodPayload()), testing::OtherRsaKey())) ==
          "signature does not verify");
  }
  SECTION("payload changed after signing") {
    json::object changed = GoodPayload();
    changed["sub"] = "admin";
    std::string forged = Base64UrlEncode(kRsaHeader) + "." + Base64UrlEncode(P(changed)) + "." +
                         Base64UrlEncode(signature);
    CHECK(Outcome(*verifier, forged) == "signature does not verify");
  }
}

TEST_CASE("exp, nbf and iat with the leeway") {
  std::unique_ptr<Verifier> verifier = MakeVerifier();  // leeway 30 s
  json::object payload = GoodPayload();
  SECTION("expired beyond the leeway") {
    payload["exp"] = kNow - 30;
    CHECK(Outcome(*verifier, WithPayload(payload)) == "token has expired");
    payload["exp"] = kNow - 3600;
    CHECK(Outcome(*verifier, WithPayload(payload)) == "token has expired");
  }
  SECTION("expired within the leeway") {
    payload["exp"] = kNow - 29;
    CHECK(Outcome(*verifier, WithPayload(payload)) == "OK");
  }
  SECTION("not yet valid") {
    payload["nbf"] = kNow + 31;
    CHECK(Outcome(*verifier, WithPayload(payload)) == "token is not valid yet (nbf)");
    payload["nbf"] = kNow + 30;
    CHECK(Outcome(*verifier, WithPayload(payload)) == "OK");
  }
  SECTION("issued in the future") {
    payload["iat"] = kNow + 31;
    CHECK(Outcome(*verifier, WithPayload(payload)) == "token is issued in the future (iat)");
    payload["iat"] = kNow + 30;
    CHECK(Outcome(*verifier, WithPayload(payload)) == "OK");
  }
  SECTION("missing exp") {
    payload.erase("exp");
    CHECK(Outcome(*verifier, WithPayload(payload)) == "exp is missing");
  }
  SECTION("zero leeway is exact") {
    VerifierOptions options = Options();
    options.leeway = absl::ZeroDuration();
    std::unique_ptr<Verifier> exact = MakeVerifier(options);
    payload["exp"] = kNow;
    CHECK(Outcome(*exact, WithPayload(payload)) == "token has expired");
    payload["exp"] = kNow + 1;
    CHECK(Outcome(*exact, WithPayload(payload)) == "OK");
  }
  SECTION("lifetime longer than max_lifetime") {
    VerifierOptions options = Options();
    options.max_lifetime = absl::Hours(1);
    std::unique_ptr<Verifier> bounded = MakeVerifier(options);
    payload["exp"] = kNow + 3601;
    CHECK(Outcome(*bounded, WithPayload(payload)) == "token lifetime is longer than allowed");
    payload.erase("iat");
    CHECK(Outcome(*bounded, WithPayload(payload)) == "token lifetime is longer than allowed");
    payload["exp"] = kNow + 3600;
    CHECK(Outcome(*bounded, WithPayload(payload)) == "OK");
  }
}

TEST_CASE("time claims must be non-negative integers in range") {
  std::unique_ptr<Verifier> verifier = MakeVerifier();
  auto with_raw = [&](std::string_view name, std::string_view raw) {
    json::object payload = GoodPayload();
    payload.erase(name);
    std::string text = P(payload);
    text.insert(1, "\"" + std::string(name) + "\":" + std::string(raw) + ",");
    return Outcome(*verifier, SignedToken(kRsaHeader, text, RsaKey()));
  };
  for (std::string name : {"exp", "nbf", "iat"}) {
    INFO(name);
    CHECK(with_raw(name, "1700000000.5") == name + " is not an integer");
    CHECK(with_raw(name, "1.7e9") == name + " is not an integer");
    CHECK(with_raw(name, "1700000000.0") == name + " is not an integer");
    CHECK(with_raw(name, "\"1700000000\"") == name + " is not a number");
    CHECK(with_raw(name, "null") == name + " is not a number");
    CHECK(with_raw(name, "true") == name + " is not a number");
    CHECK(with_raw(name, "-1") == name + " is negative");
    CHECK(with_raw(name, "18446744073709551615") == name + " is out of range");
    CHECK(with_raw(name, "99999999999999999999999") == name + " is not an integer");
    CHECK(with_raw(name, "253402300800") == name + " is out of range");
  }
}

TEST_CASE("iss and aud") {
  std::unique_ptr<Verifier> verifier = MakeVerifier();
  json::object payload = GoodPayload();
  SECTION("wrong iss") {
    payload["iss"] = "https://evil.test";
    CHECK(Outcome(*verifier, WithPayload(payload)) == "iss is not trusted");
  }
  SECTION("missing iss") {
    payload.erase("iss");
    CHECK(Outcome(*verifier, WithPayload(payload)) == "iss is missing");
  }
  SECTION("non-string iss") {
    payload["iss"] = 5;
    CHECK(Outcome(*verifier, WithPayload(payload)) == "iss is not a string");
  }
  SECTION("missing aud") {
    payload.erase("aud");
    CHECK(Outcome(*verifier, WithPayload(payload)) == "aud is missing");
    payload["aud"] = json::array{};
    CHECK(Outcome(*verifier, WithPayload(payload)) == "aud is missing");
  }
  SECTION("wrong aud") {
    payload["aud"] = "billing";
    CHECK(Outcome(*verifier, WithPayload(payload)) == "aud does not name this service");
    payload["aud"] = json::array{"billing", "backoffice2"};
    CHECK(Outcome(*verifier, WithPayload(payload)) == "aud does not name this service");
  }
  SECTION("aud as an array including ours") {
    payload["aud"] = json::array{"billing", "backoffice"};
    CHECK(Outcome(*verifier, WithPayload(payload)) == "OK");
  }
  SECTION("aud of the wrong type") {
    payload["aud"] = 7;
    CHECK(Outcome(*verifier, WithPayload(payload)) == "aud is not a string or an array");
    payload["aud"] = json::array{"backoffice", 7};
    CHECK(Outcome(*verifier, WithPayload(payload)) == "aud holds a non-string");
  }
  SECTION("other typed claims") {
    payload["sub"] = json::object{};
    CHECK(Outcome(*verifier, WithPayload(payload)) == "sub is not a string");
    payload["sub"] = "u";
    payload["roles"] = "admin";
    CHECK(Outcome(*verifier, WithPayload(payload)) == "roles is not an array");
  }
}

TEST_CASE("typ") {
  std::unique_ptr<Verifier> verifier = MakeVerifier();
  auto with_typ = [&](std::string typ_member) {
    std::string header = R"({"alg":"RS256","kid":"rsa-1")" + typ_member + "}";
    return Outcome(*verifier, SignedToken(header, P(GoodPayload()), RsaKey()));
  };
  CHECK(with_typ(R"(,"typ":"at+jwt")") == "OK");
  CHECK(with_typ(R"(,"typ":"AT+JWT")") == "OK");
  CHECK(with_typ(R"(,"typ":"application/at+jwt")") == "OK");
  CHECK(with_typ(R"(,"typ":"JWT")") == "typ is not accepted");  // e.g. an OIDC ID token
  CHECK(with_typ(R"(,"typ":"at+jwt2")") == "typ is not accepted");
  CHECK(with_typ("") == "typ is missing");
  CHECK(with_typ(R"(,"typ":1)") == "typ is not a string");

  VerifierOptions options = Options();
  options.allowed_typ = {"at+jwt", "JWT", ""};
  std::unique_ptr<Verifier> lenient = MakeVerifier(options);
  CHECK(Outcome(*lenient, SignedToken(R"({"alg":"RS256","kid":"rsa-1","typ":"jwt"})",
                                      P(GoodPayload()), RsaKey())) == "OK");
  CHECK(Outcome(*lenient, SignedToken(R"({"alg":"RS256","kid":"rsa-1"})", P(GoodPayload()),
                                      RsaKey())) == "OK");
}

TEST_CASE("token size") {
  std::unique_ptr<Verifier> verifier = MakeVerifier();
  json::object payload = GoodPayload();
  payload["pad"] = std::string(6000, 'x');
  CHECK(Outcome(*verifier, WithPayload(payload)) == "token is longer than 8192 bytes");
  payload["pad"] = std::string(5000, 'x');
  CHECK(Outcome(*verifier, WithPayload(payload)) == "OK");
  CHECK(Outcome(*verifier, std::string(1 << 20, 'a')) == "token is longer than 8192 bytes");
}

TEST_CASE("structure: parts, base64url and JSON") {
  std::unique_ptr<Verifier> verifier = MakeVerifier();
  std::string token = WithPayload(GoodPayload());
  size_t first = token.find('.');
  size_t second = token.rfind('.');
  std::string header = token.substr(0, first);
  std::string payload = token.substr(first + 1, second - first - 1);
  std::string signature = token.substr(second + 1);
  SECTION("wrong number of parts") {
    CHECK(Outcome(*verifier, header + "." + payload) == "token does not have exactly 3 parts");
    CHECK(Outcome(*verifier, token + ".") == "token does not have exactly 3 parts");
    CHECK(Outcome(*verifier, token + "." + signature) == "token does not have exactly 3 parts");
    CHECK(Outcome(*verifier, "") == "token does not have exactly 3 parts");
    CHECK(Outcome(*verifier, "..") == "header: malformed JSON");
  }
  SECTION("bad base64url in each part") {
    CHECK(Outcome(*verifier, header + "=." + payload + "." + signature) ==
          "header is not valid base64url");
    CHECK(Outcome(*verifier, header + "." + payload + "+." + signature) ==
          "payload is not valid base64url");
    CHECK(Outcome(*verifier, header + "." + payload + "." + signature + "==") ==
          "signature is not valid base64url");
    CHECK(Outcome(*verifier, " " + token) == "header is not valid base64url");
  }
  SECTION("bad JSON") {
    CHECK(Outcome(*verifier, TokenWithSignature(R"({"alg":"RS256",)", P(GoodPayload()), "x")) ==
          "header: malformed JSON");
    CHECK(Outcome(*verifier, SignedToken(kRsaHeader, R"({"sub":"x")", RsaKey())) ==
          "payload: malformed JSON");
  }
  SECTION("duplicate member names") {
    CHECK(Outcome(*verifier,
                  SignedToken(R"({"alg":"none","alg":"RS256","typ":"at+jwt","kid":"rsa-1"})",
                              P(GoodPayload()), RsaKey())) == "header: duplicate JSON member name");
    std::string text = P(GoodPayload());
    text.insert(1, R"("sub":"admin",)");
    CHECK(Outcome(*verifier, SignedToken(kRsaHeader, text, RsaKey())) ==
          "payload: duplicate JSON member name");
  }
  SECTION("header or payload not an object") {
    CHECK(Outcome(*verifier, SignedToken(R"(["RS256"])", P(GoodPayload()), RsaKey())) ==
          "header: JSON is not an object");
    CHECK(Outcome(*verifier, SignedToken(kRsaHeader, R"("sub")", RsaKey())) ==
          "payload: JSON is not an object");
  }
}

TEST_CASE("verifier options are checked") {
  VerifierOptions no_issuer = Options();
  no_issuer.issuers.clear();
  CHECK_FALSE(Verifier::Create(no_issuer, TrustedKeys()).ok());
  VerifierOptions no_audience = Options();
  no_audience.audiences.clear();
  CHECK_FALSE(Verifier::Create(no_audience, TrustedKeys()).ok());
  VerifierOptions big_leeway = Options();
  big_leeway.leeway = absl::Minutes(10);
  CHECK_FALSE(Verifier::Create(big_leeway, TrustedKeys()).ok());
  CHECK_FALSE(Verifier::Create(Options(), nullptr).ok());
}

}  // namespace
}  // namespace backoffice::jwt
