#ifndef BACKOFFICE_LIBS_CONFIG_ENVIRONMENT_H_
#define BACKOFFICE_LIBS_CONFIG_ENVIRONMENT_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace backoffice::config {

// Looks up one environment variable by name; std::nullopt when it is not set.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// The prefix of every environment fallback: flag `db_host` reads `BACKOFFICE_DB_HOST`.
inline constexpr std::string_view kEnvPrefix = "BACKOFFICE_";

// Returns the environment variable that backs flag `flag_name` (`BACKOFFICE_<FLAG_NAME>`).
std::string EnvVarForFlag(std::string_view flag_name);

// An EnvLookup over the real process environment (getenv).
EnvLookup ProcessEnvironment();

// For every Abseil flag registered in this binary that was not given on the command line (and is
// not one of Abseil's own flags such as --help or --flagfile), parses `BACKOFFICE_<FLAG_NAME>` into
// the flag when `lookup` finds it. Flags set on the command line always win over the environment.
// Returns INVALID_ARGUMENT naming every environment variable whose value does not parse (sorted by
// name, the values themselves are never echoed); flags with good values are still applied.
absl::Status ApplyEnvironment(const EnvLookup& lookup);

}  // namespace backoffice::config

#endif  // BACKOFFICE_LIBS_CONFIG_ENVIRONMENT_H_
