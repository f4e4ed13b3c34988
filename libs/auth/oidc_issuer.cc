#include "libs/auth/oidc_issuer.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace backoffice::auth {

absl::StatusOr<OidcIssuer> ParseOidcIssuer(std::string_view flag) {
  absl::string_view text(flag.data(), flag.size());
  std::vector<std::string> parts = absl::StrSplit(text, '|');
  if (parts.size() != 3 || parts[0].empty() || parts[1].empty() || parts[2].empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--oidc_issuer must be issuer|jwks_url|audience, not \"", text, "\""));
  }
  // Callers of an external issuer are named `<iss>#<sub>`: an issuer with a '#' could make two
  // issuers' principals share a name (OpenID Connect issuers have no fragment anyway).
  if (absl::StrContains(parts[0], '#')) {
    return absl::InvalidArgumentError(
        absl::StrCat("--oidc_issuer: the issuer must not contain '#', not \"", parts[0], "\""));
  }
  return OidcIssuer{parts[0], parts[1], parts[2]};
}

std::vector<std::string> RepeatedFlagValues(int argc, char** argv, std::string_view name) {
  const std::string short_form = "-" + std::string(name);
  const std::string long_form = "-" + short_form;
  std::vector<std::string> values;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--") {
      break;
    }
    for (const std::string& form : {long_form, short_form}) {
      if (arg.size() > form.size() && arg.substr(0, form.size()) == form &&
          arg[form.size()] == '=') {
        values.emplace_back(arg.substr(form.size() + 1));
      }
    }
    if ((arg == long_form || arg == short_form) && i + 1 < argc) {
      values.emplace_back(argv[++i]);
    }
  }
  return values;
}

}  // namespace backoffice::auth
