// End-to-end: PostgreSQL, the real users service and the real BFF binary, driven over real HTTP
// as a browser (cookies + CSRF) and as an API client (Bearer) would.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "bff/it/e2e_support.h"
#include "bff/it/stack.h"
#include "bff/testing/http_client.h"
#include "libs/jwt/key.h"
#include "libs/jwt/signer.h"
#include "libs/jwt/test_http_server.h"

namespace backoffice::bff::it {
namespace {

namespace json = boost::json;
using bff::testing::TestResponse;

TEST_CASE("browser session: login cookies, CSRF, refresh with reuse detection, logout", "[e2e]") {
  Stack& stack = SharedStack();
  Client browser(stack.bff_port());

  TestResponse login = browser.Call("POST", "/api/auth/login", LoginBody());
  INFO(login.body);
  REQUIRE(login.status == 200);
  json::value body = Json(login);
  CHECK(Str(body.at("user"), "email") == kAdminEmail);
  CHECK(Str(body.at("user"), "id") == stack.admin_id());
  CHECK_FALSE(absl::StrContains(login.body, "\"accessToken\""));
  CHECK_FALSE(absl::StrContains(login.body, "rt_"));
  std::vector<std::string> set = SetCookies(login);
  REQUIRE(set.size() == 3);
  for (const std::string& cookie : set) {
    CHECK(absl::StrContains(cookie, "; Path=/; Secure; SameSite=Strict"));
    bool csrf = absl::StartsWith(cookie, "__Host-csrf=");
    CHECK(absl::StrContains(cookie, "HttpOnly") == !csrf);
  }
  CHECK(absl::StartsWith(set[0], "__Host-access="));
  CHECK(absl::StrContains(set[0], "Max-Age=900"));
  REQUIRE(browser.cookies().count("__Host-refresh") == 1);

  TestResponse me = browser.Call("GET", "/api/me");
  INFO(me.body);
  REQUIRE(me.status == 200);
  CHECK(Str(Json(me).at("user"), "email") == kAdminEmail);
  CHECK(Str(Json(me), "sessionId") == Str(body, "sessionId"));

  // Unsafe methods by cookie need the CSRF header, equal to the cookie.
  std::string create = R"({"email":"csrf-e2e@example.com","displayName":"Csrf"})";
  browser.send_csrf = false;
  TestResponse missing = browser.Call("POST", "/api/users", create);
  CHECK(missing.status == 403);
  CHECK(missing.Header("content-type") == "application/problem+json");
  TestResponse wrong =
      browser.Call("POST", "/api/users", create, {{"X-CSRF-Token", "not-the-cookie"}});
  CHECK(wrong.status == 403);
  TestResponse refresh_without = browser.Call("POST", "/api/auth/refresh");
  CHECK(refresh_without.status == 403);
  browser.send_csrf = true;
  TestResponse created = browser.Call("POST", "/api/users", create);
  INFO(created.body);
  CHECK(created.status == 201);

  // Refresh rotates every cookie.
  std::map<std::string, std::string> before = browser.cookies();
  TestResponse refreshed = browser.Call("POST", "/api/auth/refresh");
  INFO(refreshed.body);
  REQUIRE(refreshed.status == 200);
  CHECK(SetCookies(refreshed).size() == 3);
  CHECK(browser.cookies()["__Host-refresh"] != before["__Host-refresh"]);
  CHECK(browser.cookies()["__Host-csrf"] != before["__Host-csrf"]);
  CHECK(browser.Call("GET", "/api/me").status == 200);

  // Replaying the old refresh cookie is reuse: 401, cookies cleared, the session is gone.
  Client replay(stack.bff_port());
  replay.cookies() = before;
  TestResponse reused = replay.Call("POST", "/api/auth/refresh");
  CHECK(reused.status == 401);
  CHECK(replay.cookies().empty());
  TestResponse after_reuse = browser.Call("POST", "/api/auth/refresh");
  CHECK(after_reuse.status == 401);

  // Logout ends a fresh session and clears its cookies; its refresh cookie no longer works.
  Client second(stack.bff_port());
  REQUIRE(second.Call("POST", "/api/auth/login", LoginBody()).status == 200);
  std::map<std::string, std::string> session = second.cookies();
  TestResponse logout = second.Call("POST", "/api/auth/logout");
  CHECK(logout.status == 204);
  CHECK(second.cookies().empty());
  Client stale(stack.bff_port());
  stale.cookies() = session;
  CHECK(stale.Call("POST", "/api/auth/refresh").status == 401);

  // Wrong password: 401 problem, no cookies.
  Client intruder(stack.bff_port());
  TestResponse refused = intruder.Call(
      "POST", "/api/auth/login",
      absl::StrCat(R"({"email":")", kAdminEmail, R"(","password":"wrong password 123"})"));
  CHECK(refused.status == 401);
  CHECK(SetCookies(refused).empty());
  CHECK(intruder.Call("POST", "/api/auth/login", R"({"email":"a@b.c","pass":"x"})").status == 400);
}

std::string Unsigned(const std::string& header, const std::string& payload) {
  auto b64 = [](const std::string& text) {
    std::string out;
    static const char* kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    int value = 0;
    int bits = -6;
    for (unsigned char c : text) {
      value = (value << 8) + c;
      bits += 8;
      while (bits >= 0) {
        out.push_back(kAlphabet[(value >> bits) & 0x3F]);
        bits -= 6;
      }
    }
    if (bits > -6) {
      out.push_back(kAlphabet[((value << 8) >> (bits + 8)) & 0x3F]);
    }
    return out;
  };
  return b64(header) + "." + b64(payload) + ".";
}

TEST_CASE("Bearer clients, and bad, expired or forged tokens", "[e2e]") {
  Stack& stack = SharedStack();
  std::string token = AdminToken(stack.bff_port());
  Client api(stack.bff_port());
  api.bearer = token;
  TestResponse list = api.Call("GET", "/api/users");
  INFO(list.body);
  CHECK(list.status == 200);
  // Bearer requests need no CSRF header.
  TestResponse created = api.Call("POST", "/api/users", R"({"email":"bearer-e2e@example.com"})");
  CHECK(created.status == 201);

  auto status_with = [&](const std::string& bearer) {
    Client client(stack.bff_port());
    client.bearer = bearer;
    return client.Call("GET", "/api/users");
  };
  CHECK(status_with("garbage").status == 401);
  TestResponse none = status_with(Unsigned(
      R"({"alg":"none","typ":"at+jwt"})",
      absl::StrCat(R"({"iss":"backoffice-users","sub":")", stack.admin_id(),
                   R"(","aud":"backoffice","exp":)", absl::ToUnixSeconds(absl::Now()) + 600, "}")));
  CHECK(none.status == 401);
  CHECK(absl::StrContains(none.body, "alg none"));

  std::string tampered = token;
  size_t dot = tampered.rfind('.');
  tampered[dot + 3] = tampered[dot + 3] == 'A' ? 'B' : 'A';
  CHECK(status_with(tampered).status == 401);

  // A token signed by a key the users service never published (forged), and an expired one.
  absl::StatusOr<jwt::PrivateKey> key = jwt::PrivateKey::Generate(jwt::Algorithm::kEs256, "evil");
  REQUIRE(key.ok());
  jwt::Claims claims;
  claims.iss = "backoffice-users";
  claims.sub = stack.admin_id();
  claims.aud = {"backoffice"};
  claims.iat = absl::Now();
  claims.exp = absl::Now() + absl::Minutes(10);
  TestResponse forged = status_with(*jwt::Sign(*key, claims));
  CHECK(forged.status == 401);
  CHECK(absl::StrContains(forged.body, "kid is unknown"));
  claims.iat = absl::Now() - absl::Hours(2);
  claims.exp = absl::Now() - absl::Hours(1);
  TestResponse expired = status_with(*jwt::Sign(*key, claims));
  CHECK(expired.status == 401);
  CHECK(absl::StrContains(expired.body, "expired"));
  claims.iss = "https://someone-else.example";
  claims.exp = absl::Now() + absl::Minutes(10);
  CHECK(status_with(*jwt::Sign(*key, claims)).status == 401);

  // No credentials on a protected route: 401; the healthz stays open.
  Client anonymous(stack.bff_port());
  CHECK(anonymous.Call("GET", "/api/me").status == 401);
  CHECK(anonymous.Call("GET", "/healthz").status == 200);
}

std::vector<std::string> Emails(const TestResponse& response) {
  std::vector<std::string> emails;
  json::value rows = Json(response);
  if (!rows.is_array()) {
    return emails;
  }
  for (const json::value& row : rows.as_array()) {
    emails.push_back(Str(row, "email"));
  }
  return emails;
}

TEST_CASE("users lists speak every dialect with their headers", "[e2e]") {
  Stack& stack = SharedStack();
  Client api(stack.bff_port());
  api.bearer = AdminToken(stack.bff_port());
  std::vector<std::string> ids;
  for (const char* name : {"carol", "alice", "erin", "bob", "dave"}) {
    TestResponse created =
        api.Call("POST", "/api/users",
                 absl::StrCat(R"({"email":")", name, R"(@list.example","displayName":"List )", name,
                              R"("})"));
    REQUIRE(created.status == 201);
    ids.push_back(Str(Json(created), "id"));
  }

  // ra-data-json-server.
  TestResponse json_server =
      api.Call("GET", "/api/users?_start=0&_end=2&_sort=email&_order=ASC&q=list.example");
  INFO(json_server.body);
  REQUIRE(json_server.status == 200);
  CHECK(Emails(json_server) == std::vector<std::string>{"alice@list.example", "bob@list.example"});
  CHECK(json_server.Header("x-total-count") == "5");
  CHECK(json_server.Header("content-range") == "items 0-1/5");

  // ra-data-simple-rest, with the range in the query and in a Range header.
  TestResponse simple = api.Call(
      "GET",
      "/api/"
      "users?range=%5B1%2C2%5D&sort=%5B%22email%22%2C%22DESC%22%5D&filter=%7B%22q%22%3A%22list."
      "example%22%7D");
  INFO(simple.body);
  REQUIRE(simple.status == 200);
  CHECK(Emails(simple) == std::vector<std::string>{"dave@list.example", "carol@list.example"});
  CHECK(simple.Header("content-range") == "items 1-2/5");
  TestResponse ranged = api.Call("GET", "/api/users?q=list.example&_sort=email&_order=ASC", "",
                                 {{"Range", "items=0-0"}});
  CHECK(Emails(ranged) == std::vector<std::string>{"alice@list.example"});
  CHECK(ranged.Header("content-range") == "items 0-0/5");

  // @refinedev/simple-rest: several sort keys, q, and filters by id.
  TestResponse refine = api.Call(
      "GET", absl::StrCat("/api/users?_sort=status,displayName&_order=asc,desc&_start=0&_end=10"
                          "&id=",
                          ids[0], "&id=", ids[1]));
  INFO(refine.body);
  REQUIRE(refine.status == 200);
  CHECK(Emails(refine) == std::vector<std::string>{"carol@list.example", "alice@list.example"});
  CHECK(refine.Header("x-total-count") == "2");

  // cursor/limit.
  TestResponse first = api.Call("GET", "/api/users?q=list.example&_sort=email&limit=3");
  REQUIRE(first.status == 200);
  CHECK(Emails(first).size() == 3);
  std::string cursor = first.Header("x-next-cursor");
  REQUIRE_FALSE(cursor.empty());
  TestResponse next = api.Call(
      "GET", absl::StrCat("/api/users?q=list.example&_sort=email&limit=3&cursor=", cursor));
  INFO(next.body);
  CHECK(Emails(next) == std::vector<std::string>{"dave@list.example", "erin@list.example"});

  // Filters by status and creation time.
  CHECK(api.Call("GET", "/api/users?q=list.example&status=disabled").Header("x-total-count") ==
        "0");
  CHECK(api.Call("GET", "/api/users?q=list.example&createTime_gte=2000-01-01")
            .Header("x-total-count") == "5");

  // Bad list requests are 400 problems naming the parameter.
  TestResponse bad_sort = api.Call("GET", "/api/users?_sort=password");
  CHECK(bad_sort.status == 400);
  CHECK(Json(bad_sort).at("errors").as_object().contains("_sort"));
  TestResponse bad_filter = api.Call("GET", "/api/users?status_ne=active");
  CHECK(bad_filter.status == 400);
  CHECK(Json(bad_filter).at("errors").as_object().contains("status_ne"));
  CHECK(api.Call("GET", "/api/users?email=x").status == 400);

  // SQL in q is a search term: nothing matches, nothing changes.
  TestResponse sql = api.Call("GET", "/api/users?q=%27%3B%20DROP%20TABLE%20users%3B--");
  CHECK(sql.status == 200);
  CHECK(sql.body == "[]");
  CHECK(api.Call("GET", "/api/users?q=list.example").Header("x-total-count") == "5");
}

TEST_CASE("create, update and delete with etags, idempotency keys and validation", "[e2e]") {
  Stack& stack = SharedStack();
  Client api(stack.bff_port());
  api.bearer = AdminToken(stack.bff_port());

  std::string body = R"({"email":"idem@example.com","displayName":"Idem","locale":"en"})";
  TestResponse created = api.Call("POST", "/api/users", body, {{"Idempotency-Key", "key-1"}});
  INFO(created.body);
  REQUIRE(created.status == 201);
  json::value user = Json(created);
  std::string id = Str(user, "id");
  CHECK(created.Header("location") == "/api/users/" + id);
  CHECK(created.Header("etag") == "\"" + Str(user, "etag") + "\"");
  CHECK(Str(user, "status") == "active");
  CHECK(user.at("createTime").is_string());

  TestResponse retried = api.Call("POST", "/api/users", body, {{"Idempotency-Key", "key-1"}});
  CHECK(retried.status == 201);
  CHECK(Str(Json(retried), "id") == id);
  TestResponse reused = api.Call("POST", "/api/users", R"({"email":"other@example.com"})",
                                 {{"Idempotency-Key", "key-1"}});
  CHECK(reused.status == 409);
  CHECK(api.Call("POST", "/api/users", body).status == 409);  // the email is taken

  // Validation: unknown fields and wrong types are 400 with errors by field; so are the
  // service's own checks.
  TestResponse unknown =
      api.Call("POST", "/api/users", R"({"email":"u@example.com","isAdmin":true})");
  CHECK(unknown.status == 400);
  CHECK(Json(unknown).at("errors").as_object().contains("isAdmin"));
  TestResponse typed = api.Call("POST", "/api/users", R"({"email":"t@example.com","locale":5})");
  CHECK(typed.status == 400);
  CHECK(Json(typed).at("errors").as_object().contains("locale"));
  TestResponse invalid = api.Call("POST", "/api/users", R"({"email":"not an email"})");
  INFO(invalid.body);
  CHECK(invalid.status == 400);
  CHECK_FALSE(Json(invalid).at("errors").as_object().empty());
  CHECK(api.Call("POST", "/api/users", "{not json").status == 400);

  // PATCH with the current If-Match changes only what was sent; the old etag is then 412.
  std::string etag = created.Header("etag");
  TestResponse patched =
      api.Call("PATCH", "/api/users/" + id, R"({"displayName":"Patched"})", {{"If-Match", etag}});
  INFO(patched.body);
  REQUIRE(patched.status == 200);
  TestResponse stale =
      api.Call("PATCH", "/api/users/" + id, R"({"displayName":"Stale"})", {{"If-Match", etag}});
  CHECK(stale.status == 412);
  json::value after = Json(patched);
  CHECK(Str(after, "displayName") == "Patched");
  CHECK(Str(after, "locale") == "en");
  CHECK(Str(after, "etag") != Str(user, "etag"));

  // PUT sends the whole record back, read-only fields included, with its etag in the body.
  json::object record = after.as_object();
  record["displayName"] = "Put";
  record["locale"] = "de-CH";
  TestResponse put = api.Call("PUT", "/api/users/" + id, json::serialize(record));
  INFO(put.body);
  REQUIRE(put.status == 200);
  CHECK(Str(Json(put), "displayName") == "Put");
  CHECK(Str(Json(put), "locale") == "de-CH");
  // The same (now stale) version in the body is a 409.
  TestResponse conflict = api.Call("PUT", "/api/users/" + id, json::serialize(record));
  CHECK(conflict.status == 409);
  CHECK(
      api.Call("PATCH", "/api/users/" + id,
               absl::StrCat(R"({"phoneNumber":null,"version":")", Str(Json(put), "etag"), R"("})"))
          .status == 200);
  CHECK(api.Call("PATCH", "/api/users/" + id, R"({"id":"someone-else","locale":"en"})").status ==
        400);

  TestResponse got = api.Call("GET", "/api/users/" + id);
  CHECK(got.status == 200);
  CHECK_FALSE(got.Header("etag").empty());
  CHECK(api.Call("GET", "/api/users/01900000-0000-7000-8000-00000000dead").status == 404);

  TestResponse deleted = api.Call("DELETE", "/api/users/" + id);
  INFO(deleted.body);
  REQUIRE(deleted.status == 200);
  CHECK(Str(Json(deleted), "status") == "deleted");
  CHECK(Str(Json(deleted), "id") == id);
}

TEST_CASE("sessions, lockout, password reset, CSV import and export, /api/me", "[e2e]") {
  Stack& stack = SharedStack();
  Client api(stack.bff_port());
  api.bearer = AdminToken(stack.bff_port());
  std::string admin = stack.admin_id();

  TestResponse sessions = api.Call("GET", "/api/users/" + admin + "/sessions?_start=0&_end=10");
  INFO(sessions.body);
  REQUIRE(sessions.status == 200);
  REQUIRE(Json(sessions).is_array());
  CHECK_FALSE(Json(sessions).as_array().empty());
  CHECK_FALSE(sessions.Header("x-total-count").empty());

  // A second login's session can be revoked by id; its refresh token stops working.
  Client other(stack.bff_port());
  TestResponse login = other.Call("POST", "/api/auth/login", LoginBody());
  REQUIRE(login.status == 200);
  std::string sid = Str(Json(login), "sessionId");
  TestResponse revoked = api.Call("DELETE", "/api/users/" + admin + "/sessions/" + sid);
  CHECK(revoked.status == 200);
  CHECK(other.Call("POST", "/api/auth/refresh").status == 401);

  // Failed logins lock an account: 429 with Retry-After; an admin reads and clears the lock.
  TestResponse victim =
      api.Call("POST", "/api/users",
               R"({"email":"locked@example.com","password":"a long enough passphrase 77"})");
  REQUIRE(victim.status == 201);
  std::string victim_id = Str(Json(victim), "id");
  Client guesser(stack.bff_port());
  int status = 0;
  TestResponse locked;
  for (int i = 0; i < 8 && status != 429; ++i) {
    locked = guesser.Call("POST", "/api/auth/login",
                          R"({"email":"locked@example.com","password":"wrong guess number 1"})");
    status = locked.status;
  }
  INFO(locked.body);
  REQUIRE(status == 429);
  CHECK(std::stoi(locked.Header("retry-after")) > 60);
  TestResponse state = api.Call("GET", "/api/users/" + victim_id + "/lockout");
  CHECK(Json(state).at("locked") == true);
  TestResponse unlocked = api.Call("DELETE", "/api/users/" + victim_id + "/lockout");
  CHECK(unlocked.status == 200);
  CHECK(Json(unlocked).at("locked") == false);
  CHECK(guesser
            .Call("POST", "/api/auth/login",
                  R"({"email":"locked@example.com","password":"a long enough passphrase 77"})")
            .status == 200);
  CHECK(guesser
            .Call("POST", "/api/auth/login/second-factor",
                  R"({"challenge":"mfa_unknown","totpCode":"123456"})")
            .status == 401);
  CHECK(guesser
            .Call("POST", "/api/auth/login/second-factor",
                  R"({"challenge":"mfa_unknown","totpCode":"1","recoveryCode":"x"})")
            .status == 400);

  TestResponse lockout = api.Call("GET", "/api/users/" + admin + "/lockout");
  INFO(lockout.body);
  CHECK(lockout.status == 200);
  CHECK(Json(lockout).at("locked") == false);
  CHECK(api.Call("DELETE", "/api/users/" + admin + "/lockout").status == 200);

  TestResponse user = api.Call("POST", "/api/users", R"({"email":"reset@example.com"})");
  REQUIRE(user.status == 201);
  TestResponse reset = api.Call("POST", "/api/users/" + Str(Json(user), "id") + "/password-reset");
  INFO(reset.body);
  CHECK(reset.status == 200);
  CHECK(Str(Json(reset), "temporaryPassword").size() >= 12);

  std::string csv =
      "email,display_name\r\nimport1@csv.example,Import One\r\nimport2@csv.example,Import "
      "Two\r\nnot-an-email,Bad\r\n";
  TestResponse imported =
      api.Call("POST", "/api/users/import", csv, {{"Content-Type", "text/csv"}});
  INFO(imported.body);
  REQUIRE(imported.status == 200);
  json::value report = Json(imported);
  CHECK(report.at("createdCount") == 2);
  CHECK(report.at("failedCount") == 1);
  CHECK(report.at("rows").as_array().size() == 3);
  CHECK(api.Call("POST", "/api/users/import", csv).status == 415);

  TestResponse exported = api.Call("GET", "/api/users/export?q=csv.example&_sort=email");
  INFO(exported.body);
  REQUIRE(exported.status == 200);
  CHECK(absl::StartsWith(exported.Header("content-type"), "text/csv"));
  CHECK(absl::StrContains(exported.Header("content-disposition"), "attachment; filename="));
  CHECK(absl::StrContains(exported.body, "import1@csv.example"));
  CHECK(absl::StrContains(exported.body, "import2@csv.example"));
  CHECK_FALSE(absl::StrContains(exported.body, "admin@example.com"));

  TestResponse me = api.Call("GET", "/api/me");
  INFO(me.body);
  REQUIRE(me.status == 200);
  json::value answer = Json(me);
  CHECK(Str(answer, "id") == admin);
  CHECK(Str(answer.at("user"), "email") == kAdminEmail);
  CHECK(answer.at("missing") == json::array{"notifications"});
  // The bootstrap admin holds the admin role, and through it the whole catalog.
  REQUIRE(answer.at("roles").as_array().size() == 1);
  CHECK(Str(answer.at("roles").at(0), "name") == "admin");
  CHECK(answer.at("roles").at(0).at("system") == true);
  const json::array& permissions = answer.at("permissions").as_array();
  CHECK(std::find(permissions.begin(), permissions.end(), json::value("users:delete")) !=
        permissions.end());
  CHECK(std::find(permissions.begin(), permissions.end(), json::value("roles:grant")) !=
        permissions.end());
}

// An external OpenID Connect issuer: a JWKS served over HTTP on loopback.
class Idp {
 public:
  explicit Idp(const std::string& kid)
      : key_(*jwt::PrivateKey::Generate(jwt::Algorithm::kEs256, kid)),
        jwks_(json::serialize(json::object{{"keys", json::array{*key_.GetPublicKey()->ToJwk()}}})),
        server_([this](const std::string&) { return jwt::testing::HttpResponse(200, jwks_); }) {}

  std::string Url() const { return server_.Url("/keys"); }
  int requests() const { return server_.requests(); }

  std::string Token(const std::string& issuer, const std::string& audience,
                    json::object extra = {}) const {
    jwt::Claims claims;
    claims.iss = issuer;
    claims.sub = "external-user";
    claims.aud = {audience};
    claims.iat = absl::Now();
    claims.exp = absl::Now() + absl::Minutes(5);
    claims.payload = std::move(extra);
    return *jwt::Sign(key_, claims, {.typ = "JWT"});
  }

 private:
  jwt::PrivateKey key_;
  std::string jwks_;
  jwt::testing::TestHttpServer server_;
};

TEST_CASE("tokens of external OIDC issuers are accepted through their JWKS", "[e2e]") {
  Idp first("idp-1");
  Idp second("idp-2");
  Stack stack(
      {.bff_flags = {"--oidc_issuer=https://idp-one.test|" + first.Url() + "|api://backoffice",
                     "--oidc_issuer=https://idp-two.test|" + second.Url() + "|backoffice-two"}});
  // The background refresher fetches both at start (bounded wait: it runs beside the server).
  for (int i = 0; i < 500 && (first.requests() == 0 || second.requests() == 0); ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  CHECK(first.requests() >= 1);
  CHECK(second.requests() >= 1);

  Client one(stack.bff_port());
  one.bearer = first.Token("https://idp-one.test", "api://backoffice",
                           {{"permissions", json::array{"users:read"}}});
  TestResponse me = one.Call("GET", "/api/me");
  INFO(me.body);
  REQUIRE(me.status == 200);
  CHECK(Str(Json(me), "issuer") == "https://idp-one.test");
  CHECK(Str(Json(me), "id") == "external-user");
  CHECK(Json(me).at("permissions") == json::array{"users:read"});
  CHECK(Json(me).at("sessionId").is_null());
  // The route table checks the token's permissions claim.
  TestResponse forbidden = one.Call("DELETE", "/api/users/" + stack.admin_id());
  CHECK(forbidden.status == 403);
  CHECK(absl::StrContains(forbidden.body, "users:delete"));

  // The second --oidc_issuer counts too; a token is checked against its own issuer's keys.
  Client two(stack.bff_port());
  two.bearer = second.Token("https://idp-two.test", "backoffice-two");
  CHECK(two.Call("GET", "/api/me").status == 200);
  Client crossed(stack.bff_port());
  crossed.bearer = first.Token("https://idp-two.test", "backoffice-two");
  CHECK(crossed.Call("GET", "/api/me").status == 401);
  Client audience(stack.bff_port());
  audience.bearer = first.Token("https://idp-one.test", "someone-else");
  CHECK(audience.Call("GET", "/api/me").status == 401);
}

TEST_CASE("disable, enable and restore: status transitions, etags and refusals", "[e2e]") {
  Stack& stack = SharedStack();
  Client api(stack.bff_port());
  api.bearer = AdminToken(stack.bff_port());
  TestResponse created = api.Call("POST", "/api/users", R"({"email":"lifecycle-e2e@example.com"})");
  REQUIRE(created.status == 201);
  std::string id = Str(Json(created), "id");
  std::string path = "/api/users/" + id;

  TestResponse disabled = api.Call("POST", path + "/disable", R"({"reason":"left the company"})");
  INFO(disabled.body);
  REQUIRE(disabled.status == 200);
  CHECK(Str(Json(disabled), "status") == "disabled");
  CHECK(Str(Json(disabled), "disabledReason") == "left the company");
  CHECK(api.Call("POST", path + "/disable").status == 409);  // already disabled
  CHECK(api.Call("POST", path + "/disable", R"({"reason":7})").status == 400);
  CHECK(api.Call("POST", path + "/disable", R"({"why":"x"})").status == 400);
  CHECK(api.Call("POST", "/api/users/" + stack.admin_id() + "/disable").status == 409);  // self

  // A stale If-Match is refused; the current etag works.
  CHECK(api.Call("POST", path + "/enable", "", {{"If-Match", "\"v1\""}}).status == 412);
  TestResponse enabled =
      api.Call("POST", path + "/enable", "", {{"If-Match", disabled.Header("etag")}});
  INFO(enabled.body);
  REQUIRE(enabled.status == 200);
  CHECK(Str(Json(enabled), "status") == "active");
  CHECK(api.Call("POST", path + "/enable").status == 409);  // not disabled

  CHECK(api.Call("POST", path + "/restore").status == 409);  // not deleted
  REQUIRE(api.Call("DELETE", path).status == 200);
  TestResponse restored = api.Call("POST", path + "/restore");
  INFO(restored.body);
  REQUIRE(restored.status == 200);
  CHECK(Str(Json(restored), "status") == "active");
  CHECK(api.Call("POST", "/api/users/0190b5f2-7c1e-7d3a-9f00-0123456789ab/restore").status == 404);
}

TEST_CASE("without the roles service guarded routes answer 503, never an unchecked 200", "[e2e]") {
  Stack stack;
  Client api(stack.bff_port());
  api.bearer = AdminToken(stack.bff_port());
  REQUIRE(api.Call("GET", "/api/users").status == 200);  // permissions cached, watch live
  stack.StopRoles();
  // The watch ends with roles, so the cache is off and the next check asks roles: refused.
  TestResponse down = api.Call("GET", "/api/users");
  for (int i = 0; i < 100 && down.status == 200; ++i) {  // the stream's end is asynchronous
    absl::SleepFor(absl::Milliseconds(50));
    down = api.Call("GET", "/api/users");
  }
  INFO(down.body);
  CHECK(down.status == 503);
  CHECK(down.Header("content-type") == "application/problem+json");
  Client anonymous(stack.bff_port());
  CHECK(anonymous.Call("GET", "/healthz").status == 200);
  CHECK(anonymous.Call("POST", "/api/auth/token", LoginBody()).status == 200);  // public
}

TEST_CASE("a stopped users service answers 503 on its routes while /healthz stays 200", "[e2e]") {
  Stack stack;
  Client api(stack.bff_port());
  api.bearer = AdminToken(stack.bff_port());
  REQUIRE(api.Call("GET", "/api/users").status == 200);  // keys are cached now
  stack.StopUsers();
  TestResponse down = api.Call("GET", "/api/users");
  INFO(down.body);
  CHECK(down.status == 503);
  CHECK(down.Header("content-type") == "application/problem+json");
  CHECK_FALSE(absl::StrContains(down.body, "127.0.0.1"));
  CHECK(api.Call("GET", "/api/me").status == 200);  // the users part is reported missing
  CHECK(Json(api.Call("GET", "/api/me")).at("missing").as_array().front() == "user");
  Client anonymous(stack.bff_port());
  CHECK(anonymous.Call("POST", "/api/auth/login", LoginBody()).status == 503);
  CHECK(anonymous.Call("GET", "/healthz").status == 200);
}

}  // namespace
}  // namespace backoffice::bff::it
