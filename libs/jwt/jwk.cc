#include "libs/jwt/jwk.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <boost/json/serialize.hpp>

#include "absl/strings/str_cat.h"
#include "libs/jwt/base64url.h"
#include "libs/jwt/openssl_util.h"
#include "libs/jwt/strict_json.h"

namespace backoffice::jwt {
namespace {

namespace json = boost::json;
using internal::BignumPtr;
using internal::EvpPkeyCtxPtr;
using internal::EvpPkeyPtr;
using internal::OpenSslError;

struct ParamBldDeleter {
  void operator()(OSSL_PARAM_BLD* bld) const { OSSL_PARAM_BLD_free(bld); }
};
struct ParamDeleter {
  void operator()(OSSL_PARAM* params) const { OSSL_PARAM_free(params); }
};

// Members that only a private JWK has; a JWKS must never carry them.
constexpr const char* kPrivateMembers[] = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"};

// An optional string member: nullopt if absent, error if present with another type.
absl::StatusOr<std::optional<std::string>> OptionalString(const json::object& jwk,
                                                          const char* name) {
  const json::value* value = jwk.if_contains(name);
  if (value == nullptr) {
    return std::nullopt;
  }
  if (!value->is_string()) {
    return absl::InvalidArgumentError(absl::StrCat("JWK member \"", name, "\" is not a string"));
  }
  return std::string(value->get_string());
}

// A required base64url member, decoded; `size` (if non-zero) is the exact decoded length.
absl::StatusOr<std::string> RequiredBytes(const json::object& jwk, const char* name,
                                          size_t size = 0) {
  absl::StatusOr<std::optional<std::string>> text = OptionalString(jwk, name);
  if (!text.ok()) {
    return text.status();
  }
  if (!text->has_value()) {
    return absl::InvalidArgumentError(absl::StrCat("JWK member \"", name, "\" is missing"));
  }
  std::optional<std::string> bytes = Base64UrlDecode(**text);
  if (!bytes.has_value() || bytes->empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("JWK member \"", name, "\" is not valid base64url"));
  }
  if (size != 0 && bytes->size() != size) {
    return absl::InvalidArgumentError(
        absl::StrCat("JWK member \"", name, "\" must be ", size, " bytes"));
  }
  return *std::move(bytes);
}

absl::StatusOr<EvpPkeyPtr> FromData(const char* type, OSSL_PARAM* params) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* pkey = nullptr;
  if (ctx == nullptr || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    return absl::InvalidArgumentError(OpenSslError(absl::StrCat("invalid ", type, " JWK")));
  }
  return EvpPkeyPtr(pkey);
}

BignumPtr ToBignum(const std::string& bytes) {
  return BignumPtr(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                             static_cast<int>(bytes.size()), nullptr));
}

absl::StatusOr<EvpPkeyPtr> RsaKey(const json::object& jwk) {
  absl::StatusOr<std::string> n = RequiredBytes(jwk, "n");
  if (!n.ok()) {
    return n.status();
  }
  absl::StatusOr<std::string> e = RequiredBytes(jwk, "e");
  if (!e.ok()) {
    return e.status();
  }
  if (e->size() > 8 || n->size() > kMaxRsaBits / 8 + 1) {
    return absl::InvalidArgumentError("JWK RSA member \"n\" or \"e\" is too large");
  }
  BignumPtr n_bn = ToBignum(*n);
  BignumPtr e_bn = ToBignum(*e);
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldDeleter> bld(OSSL_PARAM_BLD_new());
  if (n_bn == nullptr || e_bn == nullptr || bld == nullptr ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n_bn.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e_bn.get()) != 1) {
    return absl::InternalError(OpenSslError("cannot build RSA parameters"));
  }
  std::unique_ptr<OSSL_PARAM, ParamDeleter> params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (params == nullptr) {
    return absl::InternalError(OpenSslError("cannot build RSA parameters"));
  }
  return FromData("RSA", params.get());
}

absl::StatusOr<EvpPkeyPtr> Ec256Key(const json::object& jwk) {
  absl::StatusOr<std::string> x = RequiredBytes(jwk, "x", 32);
  if (!x.ok()) {
    return x.status();
  }
  absl::StatusOr<std::string> y = RequiredBytes(jwk, "y", 32);
  if (!y.ok()) {
    return y.status();
  }
  std::string point = "\x04" + *x + *y;  // SEC1 uncompressed point
  char group[] = "prime256v1";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
      OSSL_PARAM_construct_end(),
  };
  absl::StatusOr<EvpPkeyPtr> pkey = FromData("EC", params);
  if (!pkey.ok()) {
    return pkey.status();
  }
  EvpPkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey->get(), nullptr));
  if (check == nullptr || EVP_PKEY_public_check(check.get()) != 1) {
    return absl::InvalidArgumentError(OpenSslError("EC JWK point is not on P-256"));
  }
  return pkey;
}

absl::StatusOr<EvpPkeyPtr> Ed25519Key(const json::object& jwk) {
  absl::StatusOr<std::string> x = RequiredBytes(jwk, "x", 32);
  if (!x.ok()) {
    return x.status();
  }
  EVP_PKEY* pkey = EVP_PKEY_new_raw_public_key_ex(
      nullptr, "ED25519", nullptr, reinterpret_cast<const unsigned char*>(x->data()), x->size());
  if (pkey == nullptr) {
    return absl::InvalidArgumentError(OpenSslError("invalid Ed25519 JWK"));
  }
  return EvpPkeyPtr(pkey);
}

// Does a `key_ops` member allow verification? Error if malformed.
absl::StatusOr<bool> KeyOpsAllowVerify(const json::object& jwk) {
  const json::value* ops = jwk.if_contains("key_ops");
  if (ops == nullptr) {
    return true;
  }
  if (!ops->is_array()) {
    return absl::InvalidArgumentError("JWK member \"key_ops\" is not an array");
  }
  bool verify = false;
  for (const json::value& op : ops->get_array()) {
    if (!op.is_string()) {
      return absl::InvalidArgumentError("JWK member \"key_ops\" holds a non-string");
    }
    verify = verify || op.get_string() == "verify";
  }
  return verify;
}

}  // namespace

absl::StatusOr<std::optional<PublicKey>> ParseJwk(const json::object& jwk) {
  for (const char* member : kPrivateMembers) {
    if (jwk.contains(member)) {
      return absl::InvalidArgumentError("JWK holds private key material");
    }
  }
  absl::StatusOr<std::optional<std::string>> kty = OptionalString(jwk, "kty");
  absl::StatusOr<std::optional<std::string>> kid = OptionalString(jwk, "kid");
  absl::StatusOr<std::optional<std::string>> use = OptionalString(jwk, "use");
  absl::StatusOr<std::optional<std::string>> alg = OptionalString(jwk, "alg");
  absl::StatusOr<std::optional<std::string>> crv = OptionalString(jwk, "crv");
  for (const auto* member : {&kty, &kid, &use, &alg, &crv}) {
    if (!member->ok()) {
      return member->status();
    }
  }
  if (!kty->has_value()) {
    return absl::InvalidArgumentError("JWK member \"kty\" is missing");
  }
  absl::StatusOr<bool> verify_allowed = KeyOpsAllowVerify(jwk);
  if (!verify_allowed.ok()) {
    return verify_allowed.status();
  }

  absl::StatusOr<EvpPkeyPtr> pkey;
  if (**kty == "RSA") {
    pkey = RsaKey(jwk);
  } else if (**kty == "EC") {
    if (*crv != "P-256") {
      return std::nullopt;  // P-384, P-521, secp256k1: not ours
    }
    pkey = Ec256Key(jwk);
  } else if (**kty == "OKP") {
    if (*crv != "Ed25519") {
      return std::nullopt;  // Ed448, X25519: not ours
    }
    pkey = Ed25519Key(jwk);
  } else {
    return std::nullopt;  // "oct" and anything newer
  }
  if (!pkey.ok()) {
    return pkey.status();
  }
  absl::StatusOr<PublicKey> key = PublicKey::FromEvp(*std::move(pkey), kid->value_or(""));
  if (!key.ok()) {
    return key.status();
  }
  if ((use->has_value() && **use != "sig") || !*verify_allowed ||
      (alg->has_value() && **alg != AlgorithmName(key->algorithm()))) {
    return std::nullopt;
  }
  return std::optional<PublicKey>(*std::move(key));
}

absl::StatusOr<KeySet> ParseJwks(std::string_view text) {
  absl::StatusOr<json::object> document = ParseStrictJsonObject(text);
  if (!document.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("JWKS: ", document.status().message()));
  }
  const json::value* keys = document->if_contains("keys");
  if (keys == nullptr || !keys->is_array()) {
    return absl::InvalidArgumentError("JWKS: \"keys\" is not an array");
  }
  if (keys->get_array().size() > kMaxJwksKeys) {
    return absl::InvalidArgumentError(absl::StrCat("JWKS: more than ", kMaxJwksKeys, " keys"));
  }
  std::vector<PublicKey> parsed;
  for (size_t i = 0; i < keys->get_array().size(); ++i) {
    const json::value& entry = keys->get_array()[i];
    if (!entry.is_object()) {
      return absl::InvalidArgumentError(absl::StrCat("JWKS: key ", i, " is not an object"));
    }
    absl::StatusOr<std::optional<PublicKey>> key = ParseJwk(entry.get_object());
    if (!key.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("JWKS: key ", i, ": ", key.status().message()));
    }
    if (key->has_value()) {
      parsed.push_back(**std::move(key));
    }
  }
  absl::StatusOr<KeySet> set = KeySet::Create(std::move(parsed));
  if (!set.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("JWKS: ", set.status().message()));
  }
  return set;
}

absl::StatusOr<std::string> WriteJwks(const std::vector<PublicKey>& keys) {
  json::array array;
  for (const PublicKey& key : keys) {
    absl::StatusOr<json::object> jwk = key.ToJwk();
    if (!jwk.ok()) {
      return jwk.status();
    }
    array.emplace_back(*std::move(jwk));
  }
  json::object document;
  document["keys"] = std::move(array);
  return json::serialize(document);
}

}  // namespace backoffice::jwt
