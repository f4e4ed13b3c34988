#include "libs/auth/service_accounts.h"

#include <fstream>
#include <memory>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/auth/caller.h"
#include "libs/jwt/jwk.h"
#include "libs/jwt/key_source.h"

namespace backoffice::auth {

absl::StatusOr<std::string> ReadFileForFlag(const std::string& path, const std::string& flag) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat(flag, ": cannot read ", path));
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

absl::StatusOr<std::optional<jwt::TrustedIssuer>> LoadServiceIssuer(
    const std::string& jwks_path, const ServiceIssuerOptions& options) {
  if (jwks_path.empty()) return std::optional<jwt::TrustedIssuer>();
  absl::StatusOr<std::string> jwks = ReadFileForFlag(jwks_path, options.flag);
  if (!jwks.ok()) return jwks.status();
  absl::StatusOr<jwt::KeySet> keys = jwt::ParseJwks(*jwks);
  if (!keys.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(options.flag, ": ", keys.status().message()));
  }
  if (keys->empty()) {
    return absl::InvalidArgumentError(absl::StrCat(options.flag, ": no usable key"));
  }
  return std::optional<jwt::TrustedIssuer>(
      jwt::TrustedIssuer{.issuer = options.issuer,
                         .keys = std::make_shared<jwt::StaticKeySource>(*std::move(keys)),
                         // Only service accounts: a service key can never name a user (whose own
                         // calls, such as "self" reads, would then be open to it).
                         .options = {.audiences = {options.audience},
                                     .max_lifetime = options.max_lifetime,
                                     .subject_prefix = kServiceSubjectPrefix}});
}

}  // namespace backoffice::auth
