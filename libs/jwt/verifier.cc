#include "libs/jwt/verifier.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "libs/jwt/signature.h"

namespace backoffice::jwt {
namespace {

namespace json = boost::json;

absl::string_view View(json::string_view s) { return absl::string_view(s.data(), s.size()); }

// typ is a media type: case-insensitive, "application/" may be left out (RFC 7515 4.1.9).
std::string NormalizeTyp(absl::string_view typ) {
  std::string lower = absl::AsciiStrToLower(typ);
  absl::string_view view = lower;
  if (absl::ConsumePrefix(&view, "application/")) {
    return std::string(view);
  }
  return lower;
}

// The header's alg as one we accept, or why not.
absl::StatusOr<Algorithm> HeaderAlgorithm(const json::object& header) {
  const json::value* alg = header.if_contains("alg");
  if (alg == nullptr) {
    return absl::UnauthenticatedError("alg is missing");
  }
  if (!alg->is_string()) {
    return absl::UnauthenticatedError("alg is not a string");
  }
  absl::string_view name = View(alg->get_string());
  if (absl::EqualsIgnoreCase(name, "none")) {
    return absl::UnauthenticatedError("alg none is not accepted");
  }
  if (absl::StartsWithIgnoreCase(name, "HS")) {
    return absl::UnauthenticatedError("HMAC algorithms are not accepted");
  }
  std::optional<Algorithm> algorithm =
      AlgorithmFromName(std::string_view(name.data(), name.size()));
  if (!algorithm.has_value()) {
    return absl::UnauthenticatedError("alg is not supported");
  }
  return *algorithm;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Verifier>> Verifier::Create(VerifierOptions options,
                                                           std::shared_ptr<KeySource> keys) {
  if (options.issuers.empty()) {
    return absl::InvalidArgumentError("verifier needs at least one issuer");
  }
  if (options.audiences.empty()) {
    return absl::InvalidArgumentError("verifier needs at least one audience");
  }
  if (options.leeway < absl::ZeroDuration() || options.leeway > absl::Minutes(5)) {
    return absl::InvalidArgumentError("verifier leeway must be between 0 and 5 minutes");
  }
  if (options.max_token_bytes == 0) {
    return absl::InvalidArgumentError("verifier max_token_bytes must be positive");
  }
  if (keys == nullptr) {
    return absl::InvalidArgumentError("verifier needs a key source");
  }
  return std::unique_ptr<Verifier>(new Verifier(std::move(options), std::move(keys)));
}

Verifier::Verifier(VerifierOptions options, std::shared_ptr<KeySource> keys)
    : options_(std::move(options)), keys_(std::move(keys)) {
  for (const std::string& typ : options_.allowed_typ) {
    normalized_typ_.push_back(NormalizeTyp(typ));
  }
}

absl::StatusOr<Claims> Verifier::Verify(std::string_view token, absl::Time now) const {
  absl::StatusOr<ParsedToken> parsed = ParseCompact(token, options_.max_token_bytes);
  if (!parsed.ok()) {
    return parsed.status();
  }
  return VerifyParsed(*parsed, now);
}

absl::StatusOr<Claims> Verifier::VerifyParsed(const ParsedToken& token, absl::Time now) const {
  if (token.token_size > options_.max_token_bytes) {
    return absl::UnauthenticatedError(
        absl::StrCat("token is longer than ", options_.max_token_bytes, " bytes"));
  }
  // Header.
  absl::StatusOr<Algorithm> algorithm = HeaderAlgorithm(token.header);
  if (!algorithm.ok()) {
    return algorithm.status();
  }
  if (token.header.contains("crit")) {
    return absl::UnauthenticatedError("crit header is not supported");
  }
  std::string typ;
  if (const json::value* value = token.header.if_contains("typ"); value != nullptr) {
    if (!value->is_string()) {
      return absl::UnauthenticatedError("typ is not a string");
    }
    typ.assign(value->get_string().data(), value->get_string().size());
  }
  if (!normalized_typ_.empty() && std::find(normalized_typ_.begin(), normalized_typ_.end(),
                                            NormalizeTyp(typ)) == normalized_typ_.end()) {
    return absl::UnauthenticatedError(typ.empty() ? "typ is missing" : "typ is not accepted");
  }
  std::optional<std::string_view> kid;
  if (const json::value* value = token.header.if_contains("kid"); value != nullptr) {
    if (!value->is_string()) {
      return absl::UnauthenticatedError("kid is not a string");
    }
    kid = std::string_view(value->get_string().data(), value->get_string().size());
  }

  // Claims, before any key lookup or signature check.
  absl::StatusOr<Claims> claims = ClaimsFromPayload(token.payload);
  if (!claims.ok()) {
    return claims.status();
  }
  if (!claims->payload.contains("exp")) {
    return absl::UnauthenticatedError("exp is missing");
  }
  if (now >= claims->exp + options_.leeway) {
    return absl::UnauthenticatedError("token has expired");
  }
  if (claims->nbf.has_value() && *claims->nbf - options_.leeway > now) {
    return absl::UnauthenticatedError("token is not valid yet (nbf)");
  }
  if (claims->iat.has_value() && *claims->iat - options_.leeway > now) {
    return absl::UnauthenticatedError("token is issued in the future (iat)");
  }
  if (options_.max_lifetime != absl::InfiniteDuration() &&
      claims->exp - claims->iat.value_or(now) > options_.max_lifetime) {
    return absl::UnauthenticatedError("token lifetime is longer than allowed");
  }
  if (!claims->payload.contains("iss")) {
    return absl::UnauthenticatedError("iss is missing");
  }
  if (std::find(options_.issuers.begin(), options_.issuers.end(), claims->iss) ==
      options_.issuers.end()) {
    return absl::UnauthenticatedError("iss is not trusted");
  }
  if (claims->aud.empty()) {
    return absl::UnauthenticatedError("aud is missing");
  }
  bool audience_ok = std::any_of(claims->aud.begin(), claims->aud.end(), [&](const auto& aud) {
    return std::find(options_.audiences.begin(), options_.audiences.end(), aud) !=
           options_.audiences.end();
  });
  if (!audience_ok) {
    return absl::UnauthenticatedError("aud does not name this service");
  }
  if (!options_.subject_prefix.empty() && !absl::StartsWith(claims->sub, options_.subject_prefix)) {
    return absl::UnauthenticatedError("sub is not a principal this issuer may name");
  }

  // Key and signature.
  std::shared_ptr<const KeySet> keys = keys_->GetKeys(kid);
  const PublicKey* key = nullptr;
  if (kid.has_value()) {
    key = keys->Find(*kid);
    if (key == nullptr) {
      return absl::UnauthenticatedError("kid is unknown");
    }
  } else if (keys->size() == 1) {
    key = &keys->keys().front();
  } else {
    return absl::UnauthenticatedError(keys->empty() ? "no keys to verify with"
                                                    : "kid is missing and there are several keys");
  }
  if (key->algorithm() != *algorithm) {
    return absl::UnauthenticatedError("alg does not match the key");
  }
  if (absl::Status status = VerifyBytes(*key, token.signing_input, token.signature); !status.ok()) {
    return status;
  }
  claims->typ = std::move(typ);
  if (kid.has_value()) {
    claims->kid = std::string(*kid);
  }
  return claims;
}

}  // namespace backoffice::jwt
