// Service-account access tokens a process signs itself to call another service as itself, not
// on behalf of a user: outbox relays calling the audit service (AppendEvents), the BFF and the
// users service watching the roles service's permission changes. The caller holds an Ed25519
// (or ES256/RS256) private key; the called service trusts the matching public keys through its
// --service_jwks_file (service_accounts.h). Tokens: typ at+jwt, iss "backoffice-services", sub
// "service:<name>", aud per called service, 5 minutes, a fresh jti; cached and renewed a minute
// before expiry.
//
//   absl::StatusOr<jwt::PrivateKey> key = LoadPrivateKeyFile(path, "bff-1", "--service_key_file");
//   ServiceTokenSource tokens(*std::move(key), {.service = "bff", .audience = "backoffice-roles"});
//   absl::StatusOr<std::string> token = tokens.Token(absl::Now());   // "eyJ..."
#pragma once

#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/jwt/key.h"

namespace backoffice::auth {

/// Reads a PEM private key from `path` with key id `kid`; errors name `flag` (the setting the
/// path came from) and never include the key.
absl::StatusOr<jwt::PrivateKey> LoadPrivateKeyFile(const std::string& path, const std::string& kid,
                                                   const std::string& flag);

struct ServiceTokenOptions {
  /// The service's name: the token's subject is "service:<service>".
  std::string service;
  std::string issuer = "backoffice-services";
  std::string audience = "backoffice-audit";
  absl::Duration lifetime = absl::Minutes(5);
};

/// Thread-safe.
class ServiceTokenSource final {
 public:
  ServiceTokenSource(jwt::PrivateKey key, ServiceTokenOptions options)
      : key_(std::move(key)), options_(std::move(options)) {}

  /// A token valid at `now` for at least a minute (signed anew when the cached one is older).
  absl::StatusOr<std::string> Token(absl::Time now);

 private:
  jwt::PrivateKey key_;
  ServiceTokenOptions options_;
  absl::Mutex mutex_;
  std::string token_ ABSL_GUARDED_BY(mutex_);
  absl::Time expires_at_ ABSL_GUARDED_BY(mutex_) = absl::InfinitePast();
};

}  // namespace backoffice::auth
