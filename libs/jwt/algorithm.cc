#include "libs/jwt/algorithm.h"

namespace backoffice::jwt {

std::string_view AlgorithmName(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::kRs256:
      return "RS256";
    case Algorithm::kEs256:
      return "ES256";
    case Algorithm::kEdDsa:
      return "EdDSA";
  }
  return "";
}

std::optional<Algorithm> AlgorithmFromName(std::string_view name) {
  if (name == "RS256") {
    return Algorithm::kRs256;
  }
  if (name == "ES256") {
    return Algorithm::kEs256;
  }
  if (name == "EdDSA") {
    return Algorithm::kEdDsa;
  }
  return std::nullopt;
}

}  // namespace backoffice::jwt
