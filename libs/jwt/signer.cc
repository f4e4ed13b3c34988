#include "libs/jwt/signer.h"

#include <boost/json/serialize.hpp>

#include "libs/jwt/base64url.h"
#include "libs/jwt/signature.h"

namespace backoffice::jwt {

absl::StatusOr<std::string> Sign(const PrivateKey& key, const boost::json::object& payload,
                                 const SignOptions& options) {
  boost::json::object header;
  header["alg"] = std::string(AlgorithmName(key.algorithm()));
  if (!options.typ.empty()) {
    header["typ"] = options.typ;
  }
  if (options.include_kid && !key.kid().empty()) {
    header["kid"] = key.kid();
  }
  std::string token = Base64UrlEncode(boost::json::serialize(header));
  token += '.';
  token += Base64UrlEncode(boost::json::serialize(payload));
  absl::StatusOr<std::string> signature = SignBytes(key, token);
  if (!signature.ok()) {
    return signature.status();
  }
  token += '.';
  token += Base64UrlEncode(*signature);
  return token;
}

absl::StatusOr<std::string> Sign(const PrivateKey& key, const Claims& claims,
                                 const SignOptions& options) {
  if (claims.exp == absl::InfinitePast()) {
    return absl::InvalidArgumentError("claims have no exp");
  }
  return Sign(key, ClaimsToPayload(claims), options);
}

}  // namespace backoffice::jwt
