#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/jwt/jwks_fetcher.h"

namespace backoffice::jwt {

/// Limits for HttpJwksFetcher.
struct HttpJwksFetcherOptions {
  absl::Duration connect_timeout = absl::Seconds(2);
  /// The whole request, connect included.
  absl::Duration total_timeout = absl::Seconds(5);
  /// A larger response is abandoned (checked on Content-Length and while reading).
  size_t max_response_bytes = 1 << 20;
};

/// Fetches a JWKS over HTTPS with libcurl (certificates verified, no redirects followed, no
/// cookies). Plain http:// is allowed only to a loopback address (127.0.0.0/8 or [::1]) for tests
/// and local development. Answers other than 200 are errors (UNAVAILABLE, with the status code).
///
///   absl::StatusOr<JwksFetcherPtr> fetcher =
///       HttpJwksFetcher::Create("https://issuer.example/.well-known/jwks.json");
class HttpJwksFetcher final : public JwksFetcher {
 public:
  /// INVALID_ARGUMENT if the URL is not https (or http to loopback) or cannot be parsed.
  static absl::StatusOr<JwksFetcherPtr> Create(std::string url,
                                               HttpJwksFetcherOptions options = {});

  absl::StatusOr<std::string> Fetch() override;

 private:
  HttpJwksFetcher(std::string url, bool is_loopback_http, HttpJwksFetcherOptions options)
      : url_(std::move(url)), is_loopback_http_(is_loopback_http), options_(options) {}

  std::string url_;
  bool is_loopback_http_;
  HttpJwksFetcherOptions options_;
};

}  // namespace backoffice::jwt
