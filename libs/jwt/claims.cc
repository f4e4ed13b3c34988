#include "libs/jwt/claims.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace backoffice::jwt {
namespace {

namespace json = boost::json;

absl::Status ClaimError(std::string_view name, std::string_view problem) {
  return absl::UnauthenticatedError(
      absl::StrCat(absl::string_view(name.data(), name.size()), " ",
                   absl::string_view(problem.data(), problem.size())));
}

absl::Status ReadString(const json::object& payload, const char* name, std::string& out) {
  const json::value* value = payload.if_contains(name);
  if (value == nullptr) {
    return absl::OkStatus();
  }
  if (!value->is_string()) {
    return ClaimError(name, "is not a string");
  }
  out.assign(value->get_string().data(), value->get_string().size());
  return absl::OkStatus();
}

absl::Status ReadStringList(const json::value& value, const char* name,
                            std::vector<std::string>& out) {
  for (const json::value& item : value.get_array()) {
    if (!item.is_string()) {
      return ClaimError(name, "holds a non-string");
    }
    out.emplace_back(item.get_string().data(), item.get_string().size());
  }
  return absl::OkStatus();
}

absl::Status ReadTime(const json::object& payload, const char* name,
                      std::optional<absl::Time>& out) {
  const json::value* value = payload.if_contains(name);
  if (value == nullptr) {
    return absl::OkStatus();
  }
  int64_t seconds = 0;
  switch (value->kind()) {
    case json::kind::int64:
      seconds = value->get_int64();
      if (seconds < 0) {
        return ClaimError(name, "is negative");
      }
      break;
    case json::kind::uint64:
      return ClaimError(name, "is out of range");
    case json::kind::double_:
      // 1.5, 1e9 and integers too large for 64 bits all arrive as doubles.
      return ClaimError(name, "is not an integer");
    default:
      return ClaimError(name, "is not a number");
  }
  if (seconds > kMaxNumericDate) {
    return ClaimError(name, "is out of range");
  }
  out = absl::FromUnixSeconds(seconds);
  return absl::OkStatus();
}

}  // namespace

bool Claims::HasScope(std::string_view name) const {
  for (absl::string_view entry : absl::StrSplit(scope, ' ', absl::SkipEmpty())) {
    if (entry == absl::string_view(name.data(), name.size())) {
      return true;
    }
  }
  return false;
}

absl::StatusOr<Claims> ClaimsFromPayload(json::object payload) {
  Claims claims;
  for (auto [name, field] :
       {std::pair{"iss", &claims.iss}, std::pair{"sub", &claims.sub}, std::pair{"jti", &claims.jti},
        std::pair{"sid", &claims.sid}, std::pair{"scope", &claims.scope}}) {
    if (absl::Status status = ReadString(payload, name, *field); !status.ok()) {
      return status;
    }
  }
  if (const json::value* aud = payload.if_contains("aud"); aud != nullptr) {
    if (aud->is_string()) {
      claims.aud.emplace_back(aud->get_string().data(), aud->get_string().size());
    } else if (aud->is_array()) {
      if (absl::Status status = ReadStringList(*aud, "aud", claims.aud); !status.ok()) {
        return status;
      }
    } else {
      return ClaimError("aud", "is not a string or an array");
    }
  }
  if (const json::value* roles = payload.if_contains("roles"); roles != nullptr) {
    if (!roles->is_array()) {
      return ClaimError("roles", "is not an array");
    }
    if (absl::Status status = ReadStringList(*roles, "roles", claims.roles); !status.ok()) {
      return status;
    }
  }
  std::optional<absl::Time> exp;
  for (auto [name, field] :
       {std::pair{"exp", &exp}, std::pair{"nbf", &claims.nbf}, std::pair{"iat", &claims.iat}}) {
    if (absl::Status status = ReadTime(payload, name, *field); !status.ok()) {
      return status;
    }
  }
  if (exp.has_value()) {
    claims.exp = *exp;
  }
  claims.payload = std::move(payload);
  return claims;
}

json::object ClaimsToPayload(const Claims& claims) {
  json::object payload = claims.payload;
  for (auto [name, field] :
       {std::pair{"iss", &claims.iss}, std::pair{"sub", &claims.sub}, std::pair{"jti", &claims.jti},
        std::pair{"sid", &claims.sid}, std::pair{"scope", &claims.scope}}) {
    if (!field->empty()) {
      payload[name] = *field;
    }
  }
  if (claims.aud.size() == 1) {
    payload["aud"] = claims.aud.front();
  } else if (!claims.aud.empty()) {
    json::array aud;
    for (const std::string& audience : claims.aud) {
      aud.emplace_back(audience);
    }
    payload["aud"] = std::move(aud);
  }
  if (!claims.roles.empty()) {
    json::array roles;
    for (const std::string& role : claims.roles) {
      roles.emplace_back(role);
    }
    payload["roles"] = std::move(roles);
  }
  if (claims.exp != absl::InfinitePast()) {
    payload["exp"] = absl::ToUnixSeconds(claims.exp);
  }
  if (claims.nbf.has_value()) {
    payload["nbf"] = absl::ToUnixSeconds(*claims.nbf);
  }
  if (claims.iat.has_value()) {
    payload["iat"] = absl::ToUnixSeconds(*claims.iat);
  }
  return payload;
}

}  // namespace backoffice::jwt
