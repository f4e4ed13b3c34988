#include "libs/outbox/service_token.h"

#include "absl/strings/str_cat.h"
#include "libs/ids/uuid.h"
#include "libs/jwt/signer.h"

namespace backoffice::outbox {

absl::StatusOr<std::string> ServiceTokenSource::Token(absl::Time now) {
  absl::MutexLock lock(&mutex_);
  if (!token_.empty() && now + absl::Minutes(1) < expires_at_) return token_;
  jwt::Claims claims;
  claims.iss = options_.issuer;
  claims.sub = absl::StrCat("service:", options_.service);
  claims.aud = {options_.audience};
  claims.iat = absl::FromUnixSeconds(absl::ToUnixSeconds(now));
  claims.exp = *claims.iat + options_.lifetime;
  claims.jti = ids::NewUuidV7().ToString();
  absl::StatusOr<std::string> token = jwt::Sign(key_, claims);
  if (!token.ok()) return token.status();
  token_ = *std::move(token);
  expires_at_ = claims.exp;
  return token_;
}

}  // namespace backoffice::outbox
