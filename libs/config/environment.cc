#include "libs/config/environment.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/flags/commandlineflag.h"
#include "absl/flags/internal/private_handle_accessor.h"
#include "absl/flags/reflection.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"

namespace backoffice::config {
namespace {

// Abseil's own flags: they act while the command line is parsed, so an environment value for them
// would be meaningless (or, for --flagfile, silently ignored).
constexpr absl::string_view kAbseilBuiltinFlags[] = {
    "flagfile",  "fromenv",     "tryfromenv", "undefok", "help",    "helpfull",
    "helpshort", "helppackage", "helpmatch",  "helpon",  "version", "only_check_args",
};

bool IsAbseilBuiltin(absl::string_view name) {
  return absl::c_linear_search(kAbseilBuiltinFlags, name);
}

// A human name for the flag's type, for error messages.
absl::string_view TypeNameOf(const absl::CommandLineFlag& flag) {
  if (flag.IsOfType<bool>()) return "a bool (true/false)";
  if (flag.IsOfType<int32_t>()) return "a 32-bit integer";
  if (flag.IsOfType<int64_t>()) return "a 64-bit integer";
  if (flag.IsOfType<uint32_t>()) return "an unsigned 32-bit integer";
  if (flag.IsOfType<uint64_t>()) return "an unsigned 64-bit integer";
  if (flag.IsOfType<double>()) return "a number";
  if (flag.IsOfType<absl::Duration>()) return "a duration such as 1.5s or 250ms";
  return "a valid value";
}

}  // namespace

std::string EnvVarForFlag(std::string_view flag_name) {
  return absl::StrCat(absl::string_view(kEnvPrefix.data(), kEnvPrefix.size()),
                      absl::AsciiStrToUpper(absl::string_view(flag_name.data(), flag_name.size())));
}

EnvLookup ProcessEnvironment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) {
      return std::nullopt;
    }
    return std::string(value);
  };
}

absl::Status ApplyEnvironment(const EnvLookup& lookup) {
  std::vector<std::pair<std::string, absl::CommandLineFlag*>> flags;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    flags.emplace_back(std::string(name), flag);
  }
  absl::c_sort(flags, [](const auto& a, const auto& b) { return a.first < b.first; });

  std::vector<std::string> errors;
  for (const auto& [name, flag] : flags) {
    if (flag->IsRetired() || IsAbseilBuiltin(name) ||
        absl::flags_internal::PrivateHandleAccessor::IsSpecifiedOnCommandLine(*flag)) {
      continue;
    }
    const std::string env_var = EnvVarForFlag(name);
    std::optional<std::string> value = lookup(env_var);
    if (!value.has_value()) {
      continue;
    }
    std::string parse_error;
    if (!flag->ParseFrom(*value, &parse_error)) {
      // parse_error quotes the value; the value may be a secret, so it stays out of the message.
      errors.push_back(
          absl::StrCat("environment variable ", env_var, " is not ", TypeNameOf(*flag)));
    }
  }
  if (!errors.empty()) {
    return absl::InvalidArgumentError(absl::StrJoin(errors, "; "));
  }
  return absl::OkStatus();
}

}  // namespace backoffice::config
