#include "libs/jwt/http_jwks_fetcher.h"

#include <catch2/catch.hpp>

#include "libs/jwt/jwk.h"
#include "libs/jwt/jwks_cache.h"
#include "libs/jwt/multi_issuer_verifier.h"
#include "libs/jwt/test_http_server.h"
#include "libs/jwt/test_tokens.h"
#include "libs/jwt/verified_token_cache.h"

namespace backoffice::jwt {
namespace {

using testing::HttpResponse;
using testing::TestHttpServer;

std::string RealJwks() {
  std::vector<PublicKey> keys;
  keys.push_back(*testing::EdKey().GetPublicKey());
  return *WriteJwks(keys);
}

JwksFetcherPtr MustCreate(const std::string& url, HttpJwksFetcherOptions options = {}) {
  absl::StatusOr<JwksFetcherPtr> fetcher = HttpJwksFetcher::Create(url, options);
  REQUIRE(fetcher.ok());
  return *std::move(fetcher);
}

TEST_CASE("fetches a JWKS from a real local server") {
  std::string jwks = RealJwks();
  std::string seen_request;
  TestHttpServer server([&](const std::string& request) {
    seen_request = request;
    return HttpResponse(200, jwks);
  });
  JwksFetcherPtr fetcher = MustCreate(server.Url("/.well-known/jwks.json"));
  absl::StatusOr<std::string> body = fetcher->Fetch();
  REQUIRE(body.ok());
  CHECK(*body == jwks);
  CHECK(seen_request.rfind("GET /.well-known/jwks.json HTTP/1.1\r\n", 0) == 0);
  CHECK(server.requests() == 1);

  // And through a JwksCache, end to end.
  JwksCache cache(MustCreate(server.Url("/.well-known/jwks.json")));
  CHECK(cache.GetKeys("ed-1")->Find("ed-1") != nullptr);
  CHECK(server.requests() == 2);
}

TEST_CASE("non-200 answers are errors and redirects are not followed") {
  int status = 404;
  TestHttpServer server([&](const std::string&) -> std::optional<std::string> {
    if (status == 302) {
      return "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/x\r\nContent-Length: 0\r\n"
             "Connection: close\r\n\r\n";
    }
    return HttpResponse(status, "{}");
  });
  JwksFetcherPtr fetcher = MustCreate(server.Url("/jwks"));
  absl::StatusOr<std::string> not_found = fetcher->Fetch();
  CHECK(not_found.status().code() == absl::StatusCode::kUnavailable);
  CHECK(not_found.status().message() == "JWKS fetch answered HTTP 404");
  status = 302;
  CHECK(fetcher->Fetch().status().message() == "JWKS fetch answered HTTP 302");
  CHECK(server.requests() == 2);
}

TEST_CASE("an oversize response is abandoned") {
  HttpJwksFetcherOptions options;
  options.max_response_bytes = 64 * 1024;
  std::string big(100 * 1024, ' ');
  SECTION("announced by Content-Length") {
    TestHttpServer server([&](const std::string&) { return HttpResponse(200, big); });
    absl::StatusOr<std::string> body = MustCreate(server.Url("/"), options)->Fetch();
    CHECK(body.status().code() == absl::StatusCode::kResourceExhausted);
  }
  SECTION("without Content-Length (read until close)") {
    TestHttpServer server([&](const std::string&) {
      return std::string("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n") + big;
    });
    absl::StatusOr<std::string> body = MustCreate(server.Url("/"), options)->Fetch();
    CHECK(body.status().code() == absl::StatusCode::kResourceExhausted);
  }
  SECTION("just under the limit is fine") {
    std::string fits(options.max_response_bytes, ' ');
    TestHttpServer server([&](const std::string&) { return HttpResponse(200, fits); });
    absl::StatusOr<std::string> body = MustCreate(server.Url("/"), options)->Fetch();
    REQUIRE(body.ok());
    CHECK(body->size() == options.max_response_bytes);
  }
}

TEST_CASE("a server that never answers times out") {
  HttpJwksFetcherOptions options;
  options.total_timeout = absl::Milliseconds(300);
  TestHttpServer server([](const std::string&) { return std::nullopt; });
  absl::StatusOr<std::string> body = MustCreate(server.Url("/"), options)->Fetch();
  CHECK(body.status().code() == absl::StatusCode::kDeadlineExceeded);
  CHECK(server.requests() == 1);
}

TEST_CASE("a closed port is an error") {
  int port = 0;
  {
    TestHttpServer server([](const std::string&) { return HttpResponse(200, "{}"); });
    port = server.port();
  }
  absl::StatusOr<std::string> body =
      MustCreate("http://127.0.0.1:" + std::to_string(port) + "/")->Fetch();
  CHECK(body.status().code() == absl::StatusCode::kUnavailable);
}

TEST_CASE("only https, or http to a loopback address") {
  CHECK(HttpJwksFetcher::Create("https://issuer.example/jwks").ok());
  CHECK(HttpJwksFetcher::Create("http://127.0.0.1:8080/jwks").ok());
  CHECK(HttpJwksFetcher::Create("http://[::1]:8080/jwks").ok());
  for (std::string url :
       {"http://issuer.example/jwks", "http://localhost/jwks", "http://10.0.0.1/jwks",
        "http://127.0.0.1.evil.example/jwks", "ftp://issuer.example/jwks", "file:///etc/passwd",
        "issuer.example/jwks", ""}) {
    INFO(url);
    CHECK(HttpJwksFetcher::Create(url).status().code() == absl::StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace backoffice::jwt

namespace backoffice::jwt {
namespace {

// The verifier-side wiring shown in README.md, built as written. No token reaches the network:
// the issuer check refuses it first.
TEST_CASE("README wiring: remote JWKS caches behind a multi-issuer, cached verifier") {
  auto users_keys = std::make_shared<JwksCache>(
      *HttpJwksFetcher::Create("https://users.backoffice.local/.well-known/jwks.json"));
  auto idp_keys = std::make_shared<JwksCache>(
      *HttpJwksFetcher::Create("https://idp.example.com/oauth2/v1/keys"));
  VerifierOptions users_options;
  users_options.audiences = {"backoffice"};
  VerifierOptions idp_options;
  idp_options.audiences = {"api://backoffice"};
  idp_options.allowed_typ = {"at+jwt", "JWT"};
  std::vector<TrustedIssuer> issuers;
  issuers.push_back({"https://users.backoffice.local", users_keys, users_options});
  issuers.push_back({"https://idp.example.com", idp_keys, idp_options});
  std::shared_ptr<const TokenVerifier> verifier = *MultiIssuerVerifier::Create(std::move(issuers));
  CachingVerifier cached(verifier);
  std::string token = testing::SignedToken(
      R"({"alg":"EdDSA","typ":"at+jwt","kid":"ed-1"})",
      R"({"iss":"https://elsewhere","aud":"backoffice","exp":4102444800})", testing::EdKey());
  CHECK(cached.Verify(token, absl::Now()).status().message() == "iss is not trusted");
  CHECK(cached.cache().misses() == 1);
  CHECK(users_keys->fetches() == 0);
}

}  // namespace
}  // namespace backoffice::jwt
