#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace backoffice::jwt {

/// Fetches a JWKS document (the raw JSON). Called by JwksCache from whichever thread needs a
/// refresh, one call at a time per cache.
class JwksFetcher {
 public:
  virtual ~JwksFetcher() = default;

  /// The current JWKS JSON, or why it could not be fetched.
  virtual absl::StatusOr<std::string> Fetch() = 0;
};

using JwksFetcherPtr = std::unique_ptr<JwksFetcher>;

/// A fetcher backed by a function, for in-process sources (the users service's own key store,
/// tests).
class FunctionJwksFetcher final : public JwksFetcher {
 public:
  explicit FunctionJwksFetcher(std::function<absl::StatusOr<std::string>()> fetch)
      : fetch_(std::move(fetch)) {}

  absl::StatusOr<std::string> Fetch() override { return fetch_(); }

 private:
  std::function<absl::StatusOr<std::string>()> fetch_;
};

/// A fetcher that always returns the same document.
class StaticJwksFetcher final : public JwksFetcher {
 public:
  explicit StaticJwksFetcher(std::string jwks) : jwks_(std::move(jwks)) {}

  absl::StatusOr<std::string> Fetch() override { return jwks_; }

 private:
  std::string jwks_;
};

}  // namespace backoffice::jwt
