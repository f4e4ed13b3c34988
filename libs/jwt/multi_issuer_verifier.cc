#include "libs/jwt/multi_issuer_verifier.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "libs/jwt/compact.h"

namespace backoffice::jwt {

absl::StatusOr<std::unique_ptr<MultiIssuerVerifier>> MultiIssuerVerifier::Create(
    std::vector<TrustedIssuer> issuers) {
  if (issuers.empty()) {
    return absl::InvalidArgumentError("no trusted issuers");
  }
  std::unique_ptr<MultiIssuerVerifier> multi(new MultiIssuerVerifier());
  for (TrustedIssuer& trusted : issuers) {
    if (trusted.issuer.empty()) {
      return absl::InvalidArgumentError("trusted issuer with an empty name");
    }
    if (multi->verifiers_.contains(trusted.issuer)) {
      return absl::InvalidArgumentError(
          absl::StrCat("issuer ", trusted.issuer, " is configured twice"));
    }
    trusted.options.issuers = {trusted.issuer};
    absl::StatusOr<std::unique_ptr<Verifier>> verifier =
        Verifier::Create(trusted.options, std::move(trusted.keys));
    if (!verifier.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("issuer ", trusted.issuer, ": ", verifier.status().message()));
    }
    multi->max_token_bytes_ = std::max(multi->max_token_bytes_, trusted.options.max_token_bytes);
    multi->verifiers_.emplace(trusted.issuer, *std::move(verifier));
  }
  return multi;
}

absl::StatusOr<Claims> MultiIssuerVerifier::Verify(std::string_view token, absl::Time now) const {
  absl::StatusOr<ParsedToken> parsed = ParseCompact(token, max_token_bytes_);
  if (!parsed.ok()) {
    return parsed.status();
  }
  const boost::json::value* iss = parsed->payload.if_contains("iss");
  if (iss == nullptr) {
    return absl::UnauthenticatedError("iss is missing");
  }
  if (!iss->is_string()) {
    return absl::UnauthenticatedError("iss is not a string");
  }
  auto it = verifiers_.find(absl::string_view(iss->get_string().data(), iss->get_string().size()));
  if (it == verifiers_.end()) {
    return absl::UnauthenticatedError("iss is not trusted");
  }
  return it->second->VerifyParsed(*parsed, now);
}

}  // namespace backoffice::jwt
