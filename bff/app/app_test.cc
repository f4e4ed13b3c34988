// Unit tests of bff/app's pieces that need no service: cookies, the OIDC flag, the users list
// mapping, and the Authenticator with real keys (Bearer, cookie + CSRF, claims, unknown kids).
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>
#include <set>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "bff/app/authentication.h"
#include "bff/app/cookies.h"
#include "bff/app/jwks_refresher.h"
#include "bff/app/token_authenticator.h"
#include "bff/app/user_json.h"
#include "bff/http/problem.h"
#include "libs/jwt/jwk.h"
#include "libs/jwt/jwks_fetcher.h"
#include "libs/jwt/multi_issuer_verifier.h"
#include "libs/jwt/signer.h"
#include "libs/jwt/verified_token_cache.h"

namespace backoffice::bff::app {
namespace {

namespace asio = boost::asio;

TEST_CASE("cookies are read, written and compared strictly", "[cookies]") {
  http::HttpHeaders headers;
  headers.Add("cookie", "a=1; __Host-access=tok.en.x ;__Host-csrf=\"abc\"");
  headers.Add("cookie", "b=2");
  CHECK(GetCookie(headers, kAccessCookie) == std::optional<std::string_view>("tok.en.x"));
  CHECK(GetCookie(headers, kCsrfCookie) == std::optional<std::string_view>("abc"));
  CHECK(GetCookie(headers, "b") == std::optional<std::string_view>("2"));
  CHECK_FALSE(GetCookie(headers, "__Host-refresh").has_value());
  CHECK_FALSE(GetCookie(headers, "__Host").has_value());

  CHECK(SetCookieValue(kAccessCookie, "v", 900, true) ==
        "__Host-access=v; Max-Age=900; Path=/; Secure; SameSite=Strict; HttpOnly");
  CHECK(SetCookieValue(kCsrfCookie, "c", 60, false) ==
        "__Host-csrf=c; Max-Age=60; Path=/; Secure; SameSite=Strict");
  CHECK(ClearCookieValue(kRefreshCookie, true) ==
        "__Host-refresh=; Max-Age=0; Path=/; Secure; SameSite=Strict; HttpOnly");

  CHECK(ConstantTimeEquals("abc", "abc"));
  CHECK_FALSE(ConstantTimeEquals("abc", "abd"));
  CHECK_FALSE(ConstantTimeEquals("abc", "abcd"));
  std::set<std::string> tokens;
  for (int i = 0; i < 50; ++i) {
    std::string token = NewCsrfToken();
    CHECK(token.size() == 43);
    tokens.insert(token);
  }
  CHECK(tokens.size() == 50);
  CHECK(IsUnsafeMethod("POST"));
  CHECK(IsUnsafeMethod("DELETE"));
  CHECK_FALSE(IsUnsafeMethod("GET"));
  CHECK_FALSE(IsUnsafeMethod("HEAD"));
}

TEST_CASE("--oidc_issuer is issuer|jwks_url|audience", "[flags]") {
  absl::StatusOr<OidcIssuer> issuer =
      ParseOidcIssuer("https://idp.example|https://idp.example/keys|api://bo");
  REQUIRE(issuer.ok());
  CHECK(issuer->issuer == "https://idp.example");
  CHECK(issuer->jwks_url == "https://idp.example/keys");
  CHECK(issuer->audience == "api://bo");
  CHECK_FALSE(ParseOidcIssuer("https://idp.example|https://idp.example/keys").ok());
  CHECK_FALSE(ParseOidcIssuer("a||c").ok());
  CHECK_FALSE(ParseOidcIssuer("a|b|c|d").ok());
}

absl::StatusOr<users::v1::ListUsersRequest> MapList(const std::string& query) {
  absl::StatusOr<http::ListQuery> parsed = http::ParseListQuery(query, "", UsersListSpec());
  if (!parsed.ok()) {
    return parsed.status();
  }
  users::v1::ListUsersRequest request;
  if (absl::Status applied = ApplyUsersFilters(*parsed, request); !applied.ok()) {
    return applied;
  }
  ApplyUsersPage(*parsed, request);
  return request;
}

std::string ErrorField(const absl::Status& status) {
  auto errors = http::FieldErrorsOf(status);
  return errors.empty() ? "" : errors.front().first;
}

TEST_CASE("users list queries map onto ListUsers", "[users]") {
  absl::StatusOr<users::v1::ListUsersRequest> request = MapList(
      "_start=10&_end=20&_sort=displayName,id&_order=asc,desc&q=ann&status=active&status=disabled"
      "&id=a&id=b&createTime_gte=2024-01-01&createTime_lte=2024-01-31T00:00:00Z");
  REQUIRE(request.ok());
  CHECK(request->page().offset() == 10);
  CHECK(request->page().page_size() == 10);
  CHECK(request->query() == "ann");
  REQUIRE(request->statuses_size() == 2);
  CHECK(request->statuses(0) == users::v1::USER_STATUS_ACTIVE);
  CHECK(request->statuses(1) == users::v1::USER_STATUS_DISABLED);
  REQUIRE(request->ids_size() == 2);
  CHECK(request->ids(1) == "b");
  REQUIRE(request->order_by_size() == 2);
  CHECK(request->order_by(0).field() == "display_name");
  CHECK(request->order_by(0).direction() == common::v1::SORT_DIRECTION_ASC);
  CHECK(request->order_by(1).field() == "create_time");  // id: UUIDv7, time ordered
  CHECK(request->order_by(1).direction() == common::v1::SORT_DIRECTION_DESC);
  CHECK(request->create_time().start_time().seconds() == 1704067200);
  // _lte is inclusive; TimeRange's end is exclusive.
  CHECK(request->create_time().end_time().seconds() == 1706659200);
  CHECK(request->create_time().end_time().nanos() == 1000);

  absl::StatusOr<users::v1::ListUsersRequest> dated = MapList("createTime_lte=2024-01-31");
  REQUIRE(dated.ok());
  CHECK(dated->create_time().end_time().seconds() == 1706745600);  // the next midnight

  absl::StatusOr<users::v1::ListUsersRequest> cursor = MapList("cursor=abc&limit=5");
  REQUIRE(cursor.ok());
  CHECK(cursor->page().page_token() == "abc");
  CHECK(cursor->page().page_size() == 5);

  CHECK(ErrorField(MapList("status_ne=active").status()) == "status_ne");
  CHECK(ErrorField(MapList("status=gone").status()) == "status");
  CHECK(ErrorField(MapList("createTime_gte=yesterday").status()) == "createTime_gte");
  CHECK(ErrorField(MapList("email=a@b.c").status()) == "email");
  CHECK(ErrorField(MapList("_sort=password").status()) == "_sort");
  CHECK(ErrorField(MapList("_sort=email,status,createTime").status()) == "_sort");
  // Text that looks like SQL is just a search term.
  absl::StatusOr<users::v1::ListUsersRequest> sql = MapList("q=%27%3B%20DROP%20TABLE%20users--");
  REQUIRE(sql.ok());
  CHECK(sql->query() == "'; DROP TABLE users--");
}

TEST_CASE("user records are camelCase with id and RFC 3339 times", "[users]") {
  users::v1::User user;
  user.set_id("u1");
  user.set_email("a@example.com");
  user.set_display_name("A");
  user.set_status(users::v1::USER_STATUS_DISABLED);
  user.mutable_create_time()->set_seconds(1704067200);
  (*user.mutable_attributes()->mutable_fields())["team"].set_string_value("ops");
  boost::json::object json = UserToJson(user);
  CHECK(json.at("id") == "u1");
  CHECK(json.at("displayName") == "A");
  CHECK(json.at("status") == "disabled");
  CHECK(json.at("createTime") == "2024-01-01T00:00:00+00:00");
  CHECK(json.at("deleteTime").is_null());
  CHECK(json.at("attributes").at("team") == "ops");
  google::protobuf::Struct round;
  JsonToStruct(json.at("attributes").as_object(), round);
  CHECK(round.fields().at("team").string_value() == "ops");
}

// A users-service-like issuer whose JWKS the test changes.
class Issuer {
 public:
  Issuer() { Rotate("k1"); }

  void Rotate(const std::string& kid) {
    absl::StatusOr<jwt::PrivateKey> key = jwt::PrivateKey::Generate(jwt::Algorithm::kEs256, kid);
    REQUIRE(key.ok());
    absl::MutexLock lock(&mu_);
    published_.push_back(*key->GetPublicKey()->ToJwk());
    key_.emplace(*std::move(key));
  }

  // Signs with the newest key; the JWKS shows it only after Publish().
  void RotateUnpublished(const std::string& kid) {
    absl::StatusOr<jwt::PrivateKey> key = jwt::PrivateKey::Generate(jwt::Algorithm::kEs256, kid);
    REQUIRE(key.ok());
    absl::MutexLock lock(&mu_);
    pending_.push_back(*key->GetPublicKey()->ToJwk());
    key_.emplace(*std::move(key));
  }

  void Publish() {
    absl::MutexLock lock(&mu_);
    for (boost::json::object& key : pending_) {
      published_.push_back(std::move(key));
    }
    pending_.clear();
  }

  absl::StatusOr<std::string> Jwks() {
    absl::MutexLock lock(&mu_);
    ++fetches_;
    boost::json::array keys;
    for (const boost::json::object& key : published_) {
      keys.push_back(key);
    }
    return boost::json::serialize(boost::json::object{{"keys", std::move(keys)}});
  }

  int fetches() {
    absl::MutexLock lock(&mu_);
    return fetches_;
  }

  std::string Token(boost::json::object extra = {}, absl::Duration lifetime = absl::Minutes(15),
                    const std::string& issuer = "backoffice-users") {
    jwt::Claims claims;
    claims.iss = issuer;
    claims.sub = "user-1";
    claims.aud = {"backoffice"};
    claims.iat = absl::Now() - absl::Minutes(1);
    claims.exp = absl::Now() + lifetime;
    claims.sid = "session-1";
    claims.payload = std::move(extra);
    absl::MutexLock lock(&mu_);
    absl::StatusOr<std::string> token = jwt::Sign(*key_, claims);
    REQUIRE(token.ok());
    return *token;
  }

 private:
  absl::Mutex mu_;
  std::optional<jwt::PrivateKey> key_;
  std::vector<boost::json::object> published_;
  std::vector<boost::json::object> pending_;
  int fetches_ = 0;
};

struct AuthFixture {
  explicit AuthFixture(absl::Duration min_demand_interval = absl::Hours(1)) {
    auto cache = std::make_shared<jwt::JwksCache>(
        std::make_unique<jwt::FunctionJwksFetcher>([this] { return issuer.Jwks(); }));
    refresher = std::make_shared<JwksRefresher>(
        std::vector<std::shared_ptr<jwt::JwksCache>>{cache},
        JwksRefresher::Options{.interval = absl::Hours(1),
                               .retry_interval = absl::Hours(1),
                               .min_demand_interval = min_demand_interval});
    std::vector<jwt::TrustedIssuer> issuers;
    issuers.push_back({"backoffice-users", std::make_shared<SnapshotKeySource>(cache),
                       jwt::VerifierOptions{.audiences = {"backoffice"}}});
    issuers.push_back({"https://idp.example", std::make_shared<SnapshotKeySource>(cache),
                       jwt::VerifierOptions{.audiences = {"backoffice"}}});
    verifier = std::make_shared<jwt::CachingVerifier>(
        std::shared_ptr<const jwt::TokenVerifier>(*jwt::MultiIssuerVerifier::Create(issuers)));
    authenticator =
        std::make_shared<TokenAuthenticator>(verifier, refresher, TokenAuthenticatorOptions{});
    refresher->Start();
    for (int i = 0; i < 500 && refresher->cycles() == 0; ++i) {
      absl::SleepFor(absl::Milliseconds(5));
    }
    REQUIRE(refresher->cycles() >= 1);
  }
  ~AuthFixture() { refresher->Stop(); }

  // Runs Authenticate on a one-thread io_context, as an I/O thread would.
  absl::Status Authenticate(http::HttpRequest& request) {
    asio::io_context io;
    std::future<absl::Status> result =
        asio::co_spawn(io, authenticator->Authenticate(request), asio::use_future);
    io.run();
    return result.get();
  }

  Issuer issuer;
  std::shared_ptr<JwksRefresher> refresher;
  std::shared_ptr<jwt::CachingVerifier> verifier;
  std::shared_ptr<TokenAuthenticator> authenticator;
};

http::HttpRequest Request(std::string method) {
  http::HttpRequest request;
  request.method = std::move(method);
  request.path = "/api/users";
  return request;
}

TEST_CASE("the authenticator reads Bearer tokens and session cookies", "[auth]") {
  AuthFixture fixture;
  std::string token = fixture.issuer.Token();

  http::HttpRequest anonymous = Request("GET");
  CHECK(fixture.Authenticate(anonymous).ok());
  CHECK_FALSE(anonymous.principal.has_value());

  http::HttpRequest bearer = Request("POST");  // Bearer: no CSRF needed
  bearer.headers.Add("authorization", "Bearer " + token);
  REQUIRE(fixture.Authenticate(bearer).ok());
  REQUIRE(bearer.principal.has_value());
  CHECK(bearer.principal->subject == "user-1");
  CHECK(bearer.principal->session_id == "session-1");
  CHECK(bearer.principal->issuer == "backoffice-users");
  // A users-service principal's permissions come from the roles service, never the token.
  CHECK(bearer.principal->permissions.empty());
  CHECK(bearer.principal->authorization == "Bearer " + token);

  http::HttpRequest basic = Request("GET");
  basic.headers.Add("authorization", "Basic dXNlcjpwYXNz");
  CHECK(fixture.Authenticate(basic).code() == absl::StatusCode::kUnauthenticated);

  http::HttpRequest cookie_get = Request("GET");
  cookie_get.headers.Add("cookie", "__Host-access=" + token);
  REQUIRE(fixture.Authenticate(cookie_get).ok());
  CHECK(cookie_get.principal.has_value());

  http::HttpRequest no_csrf = Request("DELETE");
  no_csrf.headers.Add("cookie", "__Host-access=" + token + "; __Host-csrf=secret");
  CHECK(fixture.Authenticate(no_csrf).code() == absl::StatusCode::kPermissionDenied);

  http::HttpRequest wrong_csrf = Request("POST");
  wrong_csrf.headers.Add("cookie", "__Host-access=" + token + "; __Host-csrf=secret");
  wrong_csrf.headers.Add("x-csrf-token", "secreT");
  CHECK(fixture.Authenticate(wrong_csrf).code() == absl::StatusCode::kPermissionDenied);

  http::HttpRequest header_only = Request("POST");  // a header without the cookie is no proof
  header_only.headers.Add("cookie", "__Host-access=" + token);
  header_only.headers.Add("x-csrf-token", "");
  CHECK(fixture.Authenticate(header_only).code() == absl::StatusCode::kPermissionDenied);

  http::HttpRequest good_csrf = Request("PATCH");
  good_csrf.headers.Add("cookie", "__Host-access=" + token + "; __Host-csrf=secret");
  good_csrf.headers.Add("x-csrf-token", "secret");
  CHECK(fixture.Authenticate(good_csrf).ok());

  http::HttpRequest expired = Request("GET");
  expired.headers.Add("authorization", "Bearer " + fixture.issuer.Token({}, -absl::Minutes(5)));
  CHECK(fixture.Authenticate(expired).code() == absl::StatusCode::kUnauthenticated);

  http::HttpRequest forged = Request("GET");
  std::string tampered = token;
  tampered[tampered.size() - 5] = tampered[tampered.size() - 5] == 'A' ? 'B' : 'A';
  forged.headers.Add("authorization", "Bearer " + tampered);
  CHECK(fixture.Authenticate(forged).code() == absl::StatusCode::kUnauthenticated);
}

TEST_CASE("an external issuer's permissions claim is kept; a users-service one is ignored",
          "[auth]") {
  AuthFixture fixture;
  boost::json::object claim = {{"permissions", boost::json::array{"users:read"}}};
  http::HttpRequest external = Request("GET");
  external.headers.Add("authorization", "Bearer " + fixture.issuer.Token(claim, absl::Minutes(5),
                                                                         "https://idp.example"));
  REQUIRE(fixture.Authenticate(external).ok());
  CHECK(external.principal->permissions == std::vector<std::string>{"users:read"});
  CHECK(external.principal->session_id.empty());
  CHECK(external.principal->issuer == "https://idp.example");

  // The roles service decides for users-service accounts: a claim cannot grant anything.
  http::HttpRequest users = Request("GET");
  users.headers.Add("authorization", "Bearer " + fixture.issuer.Token(claim));
  REQUIRE(fixture.Authenticate(users).ok());
  CHECK(users.principal->permissions.empty());
}

TEST_CASE("an unknown kid waits for one background refresh; forged kids are rate limited",
          "[auth]") {
  AuthFixture fixture(absl::Hours(1));
  int fetches = fixture.issuer.fetches();
  fixture.issuer.Rotate("k2");  // published: the refresh finds it
  http::HttpRequest rotated = Request("GET");
  rotated.headers.Add("authorization", "Bearer " + fixture.issuer.Token());
  CHECK(fixture.Authenticate(rotated).ok());
  CHECK(fixture.issuer.fetches() == fetches + 1);

  // Within the demand interval, another unknown kid answers 401 at once without a fetch.
  fixture.issuer.RotateUnpublished("k3");
  http::HttpRequest unknown = Request("GET");
  unknown.headers.Add("authorization", "Bearer " + fixture.issuer.Token());
  CHECK(fixture.Authenticate(unknown).code() == absl::StatusCode::kUnauthenticated);
  CHECK(fixture.issuer.fetches() == fetches + 1);
}

TEST_CASE("a refresh that still lacks the kid answers 401", "[auth]") {
  AuthFixture fixture(absl::ZeroDuration());
  int fetches = fixture.issuer.fetches();
  fixture.issuer.RotateUnpublished("k9");
  http::HttpRequest request = Request("GET");
  request.headers.Add("authorization", "Bearer " + fixture.issuer.Token());
  CHECK(fixture.Authenticate(request).code() == absl::StatusCode::kUnauthenticated);
  CHECK(fixture.issuer.fetches() == fetches + 1);
  fixture.issuer.Publish();
  CHECK(fixture.Authenticate(request).ok());
}

}  // namespace
}  // namespace backoffice::bff::app
