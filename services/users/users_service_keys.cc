// Signing key handlers of UsersService: GetJwks (public), ListSigningKeys, RotateSigningKey.
#include <google/protobuf/util/time_util.h>

#include <boost/json/serialize.hpp>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/users/auth/signing_key_ring.h"
#include "services/users/user_mapping.h"
#include "services/users/users_service.h"

namespace backoffice::users {
namespace {

// How long a verifier may cache the JWKS (auth.proto GetJwksResponse.max_age).
constexpr absl::Duration kJwksMaxAge = absl::Minutes(5);

std::string Member(const boost::json::object& jwk, std::string_view name) {
  const boost::json::value* value =
      jwk.if_contains(boost::json::string_view(name.data(), name.size()));
  if (value == nullptr || !value->is_string()) {
    return "";
  }
  return std::string(value->as_string());
}

v1::SigningAlgorithm AlgorithmToProto(jwt::Algorithm algorithm) {
  switch (algorithm) {
    case jwt::Algorithm::kRs256:
      return v1::SIGNING_ALGORITHM_RS256;
    case jwt::Algorithm::kEs256:
      return v1::SIGNING_ALGORITHM_ES256;
    case jwt::Algorithm::kEdDsa:
      return v1::SIGNING_ALGORITHM_EDDSA;
  }
  return v1::SIGNING_ALGORITHM_UNSPECIFIED;
}

absl::StatusOr<jwt::Algorithm> AlgorithmFromProto(int algorithm) {
  switch (algorithm) {
    case v1::SIGNING_ALGORITHM_UNSPECIFIED:
    case v1::SIGNING_ALGORITHM_RS256:
      return jwt::Algorithm::kRs256;
    case v1::SIGNING_ALGORITHM_ES256:
      return jwt::Algorithm::kEs256;
    case v1::SIGNING_ALGORITHM_EDDSA:
      return jwt::Algorithm::kEdDsa;
    default:
      return absl::InvalidArgumentError("algorithm: unknown value");
  }
}

v1::SigningKeyState StateToProto(SigningKeyState state) {
  switch (state) {
    case SigningKeyState::kNext:
      return v1::SIGNING_KEY_STATE_NEXT;
    case SigningKeyState::kActive:
      return v1::SIGNING_KEY_STATE_ACTIVE;
    case SigningKeyState::kRetired:
    case SigningKeyState::kUnpublished:
      return v1::SIGNING_KEY_STATE_RETIRED;
  }
  return v1::SIGNING_KEY_STATE_UNSPECIFIED;
}

void KeyToProto(const SigningKeyInfo& key, absl::Time now, v1::SigningKey* out) {
  out->set_kid(key.kid);
  out->set_algorithm(AlgorithmToProto(key.algorithm));
  out->set_state(StateToProto(key.StateAt(now)));
  TimeToProto(key.created_at, out->mutable_create_time());
  TimeToProto(key.activated_at, out->mutable_activate_time());
  if (key.retired_at) {
    TimeToProto(*key.retired_at, out->mutable_retire_time());
  }
  if (key.expires_at) {
    TimeToProto(*key.expires_at, out->mutable_unpublish_time());
  }
}

}  // namespace

grpc::Status UsersServiceImpl::GetJwks(grpc::ServerContext* context, const v1::GetJwksRequest*,
                                       v1::GetJwksResponse* response) {
  return HandlePublic(*context, [&](const Actor&) -> absl::Status {
    const absl::Time now = absl::Now();
    boost::json::array keys;
    for (boost::json::object& jwk : deps_.keys.PublicJwks(now)) {
      v1::Jwk* out = response->add_keys();
      out->set_kid(Member(jwk, "kid"));
      out->set_kty(Member(jwk, "kty"));
      out->set_alg(Member(jwk, "alg"));
      out->set_use(Member(jwk, "use"));
      out->set_n(Member(jwk, "n"));
      out->set_e(Member(jwk, "e"));
      out->set_crv(Member(jwk, "crv"));
      out->set_x(Member(jwk, "x"));
      out->set_y(Member(jwk, "y"));
      keys.push_back(std::move(jwk));
    }
    // The document is built from the same snapshot as the structured keys.
    response->set_jwks_json(boost::json::serialize(boost::json::object{{"keys", std::move(keys)}}));
    response->mutable_max_age()->set_seconds(absl::ToInt64Seconds(kJwksMaxAge));
    return absl::OkStatus();
  });
}

grpc::Status UsersServiceImpl::ListSigningKeys(grpc::ServerContext* context,
                                               const v1::ListSigningKeysRequest* request,
                                               v1::ListSigningKeysResponse* response) {
  return Handle(*context, kPermKeysManage, "", [&](const CallScope&) -> absl::Status {
    const absl::Time now = absl::Now();
    for (const SigningKeyInfo& key : deps_.keys.Keys(request->include_unpublished(), now)) {
      KeyToProto(key, now, response->add_keys());
    }
    return absl::OkStatus();
  });
}

grpc::Status UsersServiceImpl::RotateSigningKey(grpc::ServerContext* context,
                                                const v1::RotateSigningKeyRequest* request,
                                                v1::RotateSigningKeyResponse* response) {
  return Handle(*context, kPermKeysManage, "", [&](const CallScope& call) -> absl::Status {
    absl::StatusOr<jwt::Algorithm> algorithm = AlgorithmFromProto(request->algorithm());
    if (!algorithm.ok()) {
      return algorithm.status();
    }
    absl::Duration delay = kJwksMaxAge;
    if (request->has_activation_delay()) {
      const google::protobuf::Duration& d = request->activation_delay();
      if (d.seconds() < 0 || d.nanos() < 0 || d.nanos() > 999'999'999) {
        return absl::InvalidArgumentError("activation_delay: must be 0 to 24 hours");
      }
      delay = absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
    }
    const absl::Time now = absl::Now();
    absl::StatusOr<SigningKeyInfo> key =
        deps_.keys.Rotate(*algorithm, delay, call.actor, now, request->request_id());
    if (!key.ok()) {
      return key.status();
    }
    KeyToProto(*key, now, response->mutable_key());
    for (const SigningKeyInfo& published : deps_.keys.Keys(false, now)) {
      KeyToProto(published, now, response->add_keys());
    }
    return absl::OkStatus();
  });
}

}  // namespace backoffice::users
