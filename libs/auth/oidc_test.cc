// External OpenID Connect issuers in a service: the flag, the trust (keys from a real local JWKS
// server) and the callers they make.
#include <atomic>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "libs/auth/caller.h"
#include "libs/auth/oidc_issuer.h"
#include "libs/auth/oidc_issuer_flag.h"
#include "libs/auth/oidc_trust.h"
#include "libs/auth/platform_verifier.h"
#include "libs/jwt/jwk.h"
#include "libs/jwt/key_set.h"
#include "libs/jwt/key_source.h"
#include "libs/jwt/signer.h"
#include "libs/jwt/test_http_server.h"
#include "libs/jwt/test_tokens.h"

namespace backoffice::auth {
namespace {

namespace json = boost::json;
using jwt::testing::HttpResponse;
using jwt::testing::TestHttpServer;

constexpr char kUsersIssuer[] = "backoffice-users";
constexpr char kAudience[] = "api://backoffice";

std::vector<char*> Argv(std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  return argv;
}

std::string Jwks(const jwt::PrivateKey& key) {
  std::vector<jwt::PublicKey> keys;
  keys.push_back(*key.GetPublicKey());
  return *jwt::WriteJwks(keys);
}

// A token of `issuer` signed by `key`; `extra` members are added to the payload.
std::string Token(const jwt::PrivateKey& key, const std::string& issuer, const std::string& sub,
                  const std::string& audience, json::object extra = {},
                  const std::string& typ = "at+jwt") {
  absl::Time now = absl::Now();
  jwt::Claims claims;
  claims.iss = issuer;
  claims.sub = sub;
  claims.aud = {audience};
  claims.iat = absl::FromUnixSeconds(absl::ToUnixSeconds(now));
  claims.exp = *claims.iat + absl::Minutes(5);
  claims.jti = absl::StrCat("jti-", absl::ToUnixNanos(now));
  claims.payload = std::move(extra);
  absl::StatusOr<std::string> token = jwt::Sign(key, claims, {.typ = typ});
  REQUIRE(token.ok());
  return *token;
}

// The users service's issuer with the Ed25519 test key; external issuers from a JWKS server.
class Fixture {
 public:
  explicit Fixture(jwt::JwksCacheOptions cache = {})
      : jwks_(Jwks(jwt::testing::RsaKey())), server_([this](const std::string&) {
          absl::MutexLock lock(&mutex_);
          return HttpResponse(200, jwks_);
        }) {
    issuer_ = absl::StrCat("http://127.0.0.1:", server_.port());
    std::vector<jwt::PublicKey> users_keys;
    users_keys.push_back(*jwt::testing::EdKey().GetPublicKey());
    std::vector<jwt::TrustedIssuer> platform;
    platform.push_back(
        {kUsersIssuer,
         std::make_shared<jwt::StaticKeySource>(*jwt::KeySet::Create(std::move(users_keys))),
         {.audiences = {"backoffice"}}});
    absl::StatusOr<std::unique_ptr<CallAuthenticator>> authenticator = MakeCallAuthenticator(
        std::move(platform), {{issuer_, server_.Url("/jwks"), kAudience}}, cache);
    REQUIRE(authenticator.ok());
    authenticator_ = *std::move(authenticator);
  }

  absl::StatusOr<Caller> Authenticate(const std::string& token) const {
    return authenticator_->AuthenticateHeader("Bearer " + token, absl::Now());
  }
  const std::string& issuer() const { return issuer_; }
  void ServeKey(const jwt::PrivateKey& key) {
    absl::MutexLock lock(&mutex_);
    jwks_ = Jwks(key);
  }
  int fetches() const { return server_.requests(); }

 private:
  absl::Mutex mutex_;
  std::string jwks_ ABSL_GUARDED_BY(mutex_);
  TestHttpServer server_;
  std::string issuer_;
  std::unique_ptr<CallAuthenticator> authenticator_;
};

TEST_CASE("--oidc_issuer values: three non-empty parts") {
  absl::StatusOr<OidcIssuer> good = ParseOidcIssuer("https://idp|https://idp/jwks|api://x");
  REQUIRE(good.ok());
  CHECK(good->issuer == "https://idp");
  CHECK(good->jwks_url == "https://idp/jwks");
  CHECK(good->audience == "api://x");
  // '#' in the issuer: `https://a` with sub `x#y` and `https://a#x` with sub `y` would both be
  // the caller `https://a#x#y`.
  for (const char* bad : {"", "a|b", "a|b|c|d", "|b|c", "a||c", "a|b|", "https://a#x|b|c"}) {
    INFO(bad);
    absl::StatusOr<OidcIssuer> parsed = ParseOidcIssuer(bad);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(absl::StrContains(parsed.status().message(), "--oidc_issuer"));
  }
}

TEST_CASE("every occurrence of a repeated flag is collected, in order, up to --") {
  std::vector<std::string> args = {"binary",
                                   "--oidc_issuer=a|b|c",
                                   "--other=1",
                                   "-oidc_issuer=d",
                                   "--oidc_issuer",
                                   "e|f|g",
                                   "-oidc_issuer",
                                   "h",
                                   "--oidc_issuer_x=no",
                                   "--",
                                   "--oidc_issuer=after"};
  std::vector<char*> argv = Argv(args);
  CHECK(RepeatedFlagValues(static_cast<int>(argv.size()), argv.data(), "oidc_issuer") ==
        std::vector<std::string>{"a|b|c", "d", "e|f|g", "h"});
}

TEST_CASE("OidcIssuersFromFlags: the command line's occurrences, else the flag's value") {
  std::vector<std::string> args = {"binary", "--oidc_issuer=i1|https://one/jwks|a1",
                                   "--oidc_issuer=i2|https://two/jwks|a2"};
  std::vector<char*> argv = Argv(args);
  absl::SetFlag(&FLAGS_oidc_issuer, std::vector<std::string>{"env|https://env/jwks|a"});
  absl::StatusOr<std::vector<OidcIssuer>> given =
      OidcIssuersFromFlags(static_cast<int>(argv.size()), argv.data());
  REQUIRE(given.ok());
  REQUIRE(given->size() == 2);
  CHECK((*given)[0].issuer == "i1");
  CHECK((*given)[1].audience == "a2");

  std::vector<std::string> none = {"binary"};
  std::vector<char*> bare = Argv(none);
  absl::StatusOr<std::vector<OidcIssuer>> from_env = OidcIssuersFromFlags(1, bare.data());
  REQUIRE(from_env.ok());
  REQUIRE(from_env->size() == 1);
  CHECK((*from_env)[0].issuer == "env");

  absl::SetFlag(&FLAGS_oidc_issuer, std::vector<std::string>{"broken"});
  CHECK(OidcIssuersFromFlags(1, bare.data()).status().code() == absl::StatusCode::kInvalidArgument);
  absl::SetFlag(&FLAGS_oidc_issuer, std::vector<std::string>{});
  absl::StatusOr<std::vector<OidcIssuer>> empty = OidcIssuersFromFlags(1, bare.data());
  REQUIRE(empty.ok());
  CHECK(empty->empty());
}

TEST_CASE("an external issuer's principal is external, qualified by its issuer") {
  Fixture fixture;
  json::object extra;
  extra["permissions"] = json::array{"users:read", 7, "users:write"};
  extra["sid"] = "not-a-users-session";
  absl::StatusOr<Caller> caller = fixture.Authenticate(
      Token(jwt::testing::RsaKey(), fixture.issuer(), "client-1", kAudience, extra));
  INFO(caller.status().message());
  REQUIRE(caller.ok());
  CHECK(caller->kind == Caller::Kind::kExternal);
  CHECK(caller->id == fixture.issuer() + "#client-1");
  CHECK(caller->issuer == fixture.issuer());
  CHECK(caller->permissions == std::vector<std::string>{"users:read", "users:write"});
  CHECK(caller->session_id.empty());
  CHECK(std::string(caller->KindName()) == "user");

  // A `service:` subject from outside is no service account.
  absl::StatusOr<Caller> posing = fixture.Authenticate(
      Token(jwt::testing::RsaKey(), fixture.issuer(), "service:audit", kAudience));
  REQUIRE(posing.ok());
  CHECK(posing->kind == Caller::Kind::kExternal);
  CHECK(posing->id == fixture.issuer() + "#service:audit");
  CHECK(posing->permissions.empty());

  // typ "JWT" is accepted from external issuers (most providers write it).
  CHECK(
      fixture
          .Authenticate(Token(jwt::testing::RsaKey(), fixture.issuer(), "c", kAudience, {}, "JWT"))
          .ok());
}

TEST_CASE("the users service's principals stay users; their token's permissions are ignored") {
  Fixture fixture;
  json::object extra;
  extra["permissions"] = json::array{"*"};
  extra["sid"] = "session-1";
  absl::StatusOr<Caller> caller =
      fixture.Authenticate(Token(jwt::testing::EdKey(), kUsersIssuer,
                                 "0190f5f4-7f6a-7c3e-9a1b-2b3c4d5e6f70", "backoffice", extra));
  REQUIRE(caller.ok());
  CHECK(caller->kind == Caller::Kind::kUser);
  CHECK(caller->id == "0190f5f4-7f6a-7c3e-9a1b-2b3c4d5e6f70");
  CHECK(caller->session_id == "session-1");
  CHECK(caller->permissions.empty());
}

TEST_CASE("external tokens that are tampered, for another audience or too long are refused") {
  Fixture fixture;
  auto refused = [&](const std::string& token, const std::string& reason) {
    absl::StatusOr<Caller> caller = fixture.Authenticate(token);
    INFO(reason);
    REQUIRE_FALSE(caller.ok());
    CHECK(caller.status().code() == absl::StatusCode::kUnauthenticated);
    CHECK(absl::StrContains(caller.status().message(), reason));
  };
  refused(Token(jwt::testing::RsaKey(), fixture.issuer(), "c", "api://other"),
          "aud does not name this service");
  // The external key does not sign for the users service, nor the users key for the issuer.
  refused(Token(jwt::testing::RsaKey(), kUsersIssuer, "c", "backoffice"), "");
  refused(Token(jwt::testing::EdKey(), fixture.issuer(), "c", kAudience), "");
  // More permissions in the payload, the signature kept.
  json::object extra;
  extra["permissions"] = json::array{"users:read"};
  std::string token = Token(jwt::testing::RsaKey(), fixture.issuer(), "c", kAudience, extra);
  std::string escalated = Token(jwt::testing::OtherRsaKey(), fixture.issuer(), "c", kAudience,
                                {{"permissions", json::array{"*"}}});
  std::string forged =
      token.substr(0, token.find('.')) +
      escalated.substr(escalated.find('.'), escalated.rfind('.') - escalated.find('.')) +
      token.substr(token.rfind('.'));
  refused(forged, "signature does not verify");
  // An id "<iss>#<sub>" longer than actors may be.
  std::string sub(kMaxPrincipalIdBytes - fixture.issuer().size(), 'x');
  CHECK(fixture.Authenticate(Token(jwt::testing::RsaKey(), fixture.issuer(), sub, kAudience))
            .status()
            .code() == absl::StatusCode::kUnauthenticated);
  sub.pop_back();
  absl::StatusOr<Caller> longest =
      fixture.Authenticate(Token(jwt::testing::RsaKey(), fixture.issuer(), sub, kAudience));
  REQUIRE(longest.ok());
  CHECK(longest->id.size() == kMaxPrincipalIdBytes);
  refused(Token(jwt::testing::RsaKey(), fixture.issuer(), std::string("a\0b", 3), kAudience),
          "NUL");
}

TEST_CASE("a token naming a kid the issuer's JWKS lacked is accepted after one refresh") {
  // A clock the test moves, so the refresh's rate limit (10 s) passes without waiting.
  auto now = std::make_shared<std::atomic<int64_t>>(absl::ToUnixSeconds(absl::Now()));
  Fixture fixture({.clock = [now] { return absl::FromUnixSeconds(now->load()); }});
  REQUIRE(
      fixture.Authenticate(Token(jwt::testing::RsaKey(), fixture.issuer(), "c", kAudience)).ok());
  int fetched = fixture.fetches();
  CHECK(fetched == 1);

  // The issuer rotates to rsa-2. Within the rate limit the new kid is refused without a fetch.
  fixture.ServeKey(jwt::testing::OtherRsaKey());
  std::string rotated = Token(jwt::testing::OtherRsaKey(), fixture.issuer(), "c", kAudience);
  absl::StatusOr<Caller> early = fixture.Authenticate(rotated);
  REQUIRE_FALSE(early.ok());
  CHECK(absl::StrContains(early.status().message(), "kid is unknown"));
  CHECK(fixture.fetches() == fetched);

  now->fetch_add(11);
  absl::StatusOr<Caller> after = fixture.Authenticate(rotated);
  INFO(after.status().message());
  REQUIRE(after.ok());
  CHECK(after->kind == Caller::Kind::kExternal);
  CHECK(fixture.fetches() == fetched + 1);
}

TEST_CASE("bad issuer configurations are refused at start") {
  absl::StatusOr<std::unique_ptr<CallAuthenticator>> not_https =
      MakeCallAuthenticator({}, {{"https://idp", "http://idp.example/jwks", "a"}});
  REQUIRE_FALSE(not_https.ok());
  CHECK(not_https.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(not_https.status().message(), "--oidc_issuer https://idp"));
  absl::StatusOr<std::unique_ptr<CallAuthenticator>> twice = MakeCallAuthenticator(
      {}, {{"https://idp", "https://idp/jwks", "a"}, {"https://idp", "https://idp/other", "b"}});
  CHECK(twice.status().code() == absl::StatusCode::kInvalidArgument);
  // A plain verifier would take external principals for users.
  CHECK(MakePlatformVerifier({.oidc_issuers = {{"https://idp", "https://idp/jwks", "a"}}})
            .status()
            .code() == absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace backoffice::auth
