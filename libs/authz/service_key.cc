#include "libs/authz/service_key.h"

#include <memory>
#include <utility>

#include "absl/time/clock.h"
#include "libs/auth/service_token.h"

namespace backoffice::authz {

absl::StatusOr<TokenSource> ServiceTokens(const ServiceKey& key, const std::string& audience) {
  absl::StatusOr<jwt::PrivateKey> loaded = auth::LoadPrivateKeyFile(key.file, key.kid, key.flag);
  if (!loaded.ok()) return loaded.status();
  auto tokens = std::make_shared<auth::ServiceTokenSource>(
      *std::move(loaded), auth::ServiceTokenOptions{.service = key.service, .audience = audience});
  return TokenSource([tokens] { return tokens->Token(absl::Now()); });
}

}  // namespace backoffice::authz
