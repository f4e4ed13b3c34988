#include "libs/jwt/jwk.h"

#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include "libs/jwt/signature.h"
#include "libs/jwt/test_tokens.h"

namespace backoffice::jwt {
namespace {

namespace json = boost::json;

json::object JwkOf(const PrivateKey& key) {
  absl::StatusOr<PublicKey> pub = key.GetPublicKey();
  REQUIRE(pub.ok());
  absl::StatusOr<json::object> jwk = pub->ToJwk();
  REQUIRE(jwk.ok());
  return *jwk;
}

std::string Jwks(std::initializer_list<json::object> keys) {
  json::array array;
  for (const json::object& key : keys) {
    array.push_back(key);
  }
  return json::serialize(json::object{{"keys", array}});
}

// The error ParseJwks gives for one key, or "" if it parsed.
std::string JwksError(const json::object& key) {
  absl::StatusOr<KeySet> set = ParseJwks(Jwks({key}));
  return set.ok() ? "" : std::string(set.status().message());
}

// How many keys ParseJwks kept for one key (0: skipped), or -1 on error.
int Kept(const json::object& key) {
  absl::StatusOr<KeySet> set = ParseJwks(Jwks({key}));
  return set.ok() ? static_cast<int>(set->size()) : -1;
}

TEST_CASE("JWK export and import round trip for every algorithm") {
  for (const PrivateKey* key : {&testing::RsaKey(), &testing::EcKey(), &testing::EdKey()}) {
    json::object jwk = JwkOf(*key);
    INFO(json::serialize(jwk));
    CHECK(jwk.at("kid").as_string() == key->kid());
    CHECK(jwk.at("use").as_string() == "sig");
    CHECK(jwk.at("alg").as_string() == AlgorithmName(key->algorithm()));
    absl::StatusOr<std::optional<PublicKey>> parsed = ParseJwk(jwk);
    REQUIRE(parsed.ok());
    REQUIRE(parsed->has_value());
    CHECK((*parsed)->kid() == key->kid());
    absl::StatusOr<std::string> signature = SignBytes(*key, "a.b");
    REQUIRE(signature.ok());
    CHECK(VerifyBytes(**parsed, "a.b", *signature).ok());
  }
  CHECK(JwkOf(testing::RsaKey()).at("kty").as_string() == "RSA");
  CHECK(JwkOf(testing::RsaKey()).at("e").as_string() == "AQAB");
  CHECK(JwkOf(testing::EcKey()).at("crv").as_string() == "P-256");
  CHECK(JwkOf(testing::EdKey()).at("crv").as_string() == "Ed25519");
}

TEST_CASE("JWKS write and parse round trip") {
  std::vector<PublicKey> keys;
  for (const PrivateKey* key : {&testing::RsaKey(), &testing::EcKey(), &testing::EdKey()}) {
    keys.push_back(*key->GetPublicKey());
  }
  absl::StatusOr<std::string> document = WriteJwks(keys);
  REQUIRE(document.ok());
  absl::StatusOr<KeySet> set = ParseJwks(*document);
  REQUIRE(set.ok());
  REQUIRE(set->size() == 3);
  CHECK(set->Find("rsa-1")->algorithm() == Algorithm::kRs256);
  CHECK(set->Find("ec-1")->algorithm() == Algorithm::kEs256);
  CHECK(set->Find("ed-1")->algorithm() == Algorithm::kEdDsa);
  CHECK(set->Find("nope") == nullptr);
}

TEST_CASE("JWKS parses published examples (RFC 7517 A.1, RFC 8037 A.2)") {
  absl::StatusOr<KeySet> set = ParseJwks(R"({"keys":[
    {"kty":"EC","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
     "y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM","use":"enc","kid":"1"},
    {"kty":"EC","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
     "y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM","kid":"ec-sig"},
    {"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"ed"}]})");
  REQUIRE(set.ok());
  CHECK(set->size() == 2);  // the "enc" key is skipped
  CHECK(set->Find("1") == nullptr);
  CHECK(set->Find("ec-sig") != nullptr);
  CHECK(set->Find("ed") != nullptr);
}

TEST_CASE("JWKS skips keys it cannot use, without error") {
  json::object rsa = JwkOf(testing::RsaKey());
  SECTION("unknown kty") {
    json::object key{{"kty", "XYZ"}, {"kid", "x"}};
    CHECK(Kept(key) == 0);
  }
  SECTION("EC on another curve") {
    json::object key = JwkOf(testing::EcKey());
    key["crv"] = "P-384";
    CHECK(Kept(key) == 0);
  }
  SECTION("OKP X25519") {
    json::object key = JwkOf(testing::EdKey());
    key["crv"] = "X25519";
    CHECK(Kept(key) == 0);
  }
  SECTION("use other than sig") {
    rsa["use"] = "enc";
    CHECK(Kept(rsa) == 0);
  }
  SECTION("alg other than the key's own: an RSA key for PS256 never verifies RS256") {
    rsa["alg"] = "PS256";
    CHECK(Kept(rsa) == 0);
    rsa["alg"] = "ES256";
    CHECK(Kept(rsa) == 0);
  }
  SECTION("key_ops without verify") {
    rsa["key_ops"] = json::array{"encrypt"};
    CHECK(Kept(rsa) == 0);
    rsa["key_ops"] = json::array{"sign", "verify"};
    CHECK(Kept(rsa) == 1);
  }
  SECTION("no use and no alg is fine") {
    rsa.erase("use");
    rsa.erase("alg");
    CHECK(Kept(rsa) == 1);
  }
}

TEST_CASE("JWKS rejects malformed keys") {
  json::object rsa = JwkOf(testing::RsaKey());
  json::object ec = JwkOf(testing::EcKey());
  json::object ed = JwkOf(testing::EdKey());
  SECTION("missing kty") {
    rsa.erase("kty");
    CHECK(JwksError(rsa) == "JWKS: key 0: JWK member \"kty\" is missing");
  }
  SECTION("non-string kty") {
    rsa["kty"] = 1;
    CHECK(JwksError(rsa) == "JWKS: key 0: JWK member \"kty\" is not a string");
  }
  SECTION("non-string kid") {
    rsa["kid"] = json::array{"a"};
    CHECK(JwksError(rsa) == "JWKS: key 0: JWK member \"kid\" is not a string");
  }
  SECTION("missing n") {
    rsa.erase("n");
    CHECK(JwksError(rsa) == "JWKS: key 0: JWK member \"n\" is missing");
  }
  SECTION("padded base64 in n") {
    rsa["n"] = std::string(rsa["n"].as_string()) + "==";
    CHECK(JwksError(rsa) == "JWKS: key 0: JWK member \"n\" is not valid base64url");
  }
  SECTION("RSA key of 1024 bits") {
    rsa["n"] = std::string(rsa["n"].as_string()).substr(0, 170) + "A";  // 128 bytes
    CHECK(JwksError(rsa) == "JWKS: key 0: RSA key has 1024 bits; at least 2048 are required");
  }
  SECTION("RSA exponent 1 (every value would be its own signature)") {
    rsa["e"] = "AQ";
    CHECK(JwksError(rsa) == "JWKS: key 0: RSA public exponent must be odd, >= 3 and < 2^33");
  }
  SECTION("EC coordinate of the wrong length") {
    ec["x"] = std::string(ec["x"].as_string()).substr(0, 40) + "AA";  // 31 bytes
    CHECK(JwksError(ec) == "JWKS: key 0: JWK member \"x\" must be 32 bytes");
  }
  SECTION("EC point not on the curve") {
    std::string y(ec["y"].as_string());
    y[5] = y[5] == 'A' ? 'B' : 'A';
    ec["y"] = y;
    CHECK(JwksError(ec).find("EC JWK") != std::string::npos);
  }
  SECTION("Ed25519 key of the wrong length") {
    ed["x"] = "AAAA";
    CHECK(JwksError(ed) == "JWKS: key 0: JWK member \"x\" must be 32 bytes");
  }
  SECTION("private key material") {
    ec["d"] = "AAAA";
    CHECK(JwksError(ec) == "JWKS: key 0: JWK holds private key material");
  }
}

TEST_CASE("JWKS rejects malformed documents") {
  json::object rsa = JwkOf(testing::RsaKey());
  CHECK(ParseJwks(Jwks({rsa, rsa})).status().message() == "JWKS: duplicate kid \"rsa-1\"");
  CHECK(ParseJwks("{}").status().message() == "JWKS: \"keys\" is not an array");
  CHECK(ParseJwks(R"({"keys":{}})").status().message() == "JWKS: \"keys\" is not an array");
  CHECK(ParseJwks(R"({"keys":[1]})").status().message() == "JWKS: key 0 is not an object");
  CHECK(ParseJwks(R"({"keys":[],"keys":[]})").status().message() ==
        "JWKS: duplicate JSON member name");
  CHECK(ParseJwks(R"({"keys":[})").status().message() == "JWKS: malformed JSON");
  CHECK(ParseJwks("[]").status().message() == "JWKS: JSON is not an object");
  std::string many = R"({"keys":[)";
  for (size_t i = 0; i <= kMaxJwksKeys; ++i) {
    many += std::string(i == 0 ? "" : ",") + R"({"kty":"XYZ"})";
  }
  CHECK(ParseJwks(many + "]}").status().message() == "JWKS: more than 100 keys");
  // An empty set is a valid document (JwksCache refuses to adopt it).
  absl::StatusOr<KeySet> empty = ParseJwks(R"({"keys":[]})");
  REQUIRE(empty.ok());
  CHECK(empty->empty());
}

}  // namespace
}  // namespace backoffice::jwt
