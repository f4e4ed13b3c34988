#include "libs/auth/service_token.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "libs/ids/uuid.h"
#include "libs/jwt/signer.h"

namespace backoffice::auth {

absl::StatusOr<jwt::PrivateKey> LoadPrivateKeyFile(const std::string& path, const std::string& kid,
                                                   const std::string& flag) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat(flag, ": cannot read ", path));
  std::stringstream pem;
  pem << in.rdbuf();
  absl::StatusOr<jwt::PrivateKey> key = jwt::PrivateKey::FromPem(pem.str(), kid);
  if (!key.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": ", key.status().message()));
  }
  return key;
}

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

}  // namespace backoffice::auth
