// Service-account access tokens a producing service signs itself to call the audit service
// (AppendEvents takes service-account tokens only). The service holds an Ed25519 (or ES256/RS256)
// private key; the audit service trusts the matching public keys through its
// --service_jwks_file. Tokens: typ at+jwt, iss "backoffice-services", sub "service:<name>",
// aud "backoffice-audit", 5 minutes, a fresh jti; cached and renewed a minute before expiry.
//
//   absl::StatusOr<jwt::PrivateKey> key = jwt::PrivateKey::FromPem(pem, "users-relay-1");
//   ServiceTokenSource tokens(*std::move(key), {.service = "users"});
//   absl::StatusOr<std::string> token = tokens.Token(absl::Now());   // "eyJ..."
#pragma once

#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/jwt/key.h"

namespace backoffice::outbox {

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

}  // namespace backoffice::outbox
