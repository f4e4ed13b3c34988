#ifndef BACKOFFICE_LIBS_CONFIG_COMMAND_LINE_H_
#define BACKOFFICE_LIBS_CONFIG_COMMAND_LINE_H_

#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace backoffice::config {

// Parses the command line of a binary, then fills flags that were not given from the environment.
//
//   int main(int argc, char** argv) {
//     std::vector<char*> args = backoffice::config::ParseCommandLine(argc, argv, "users service");
//     ...
//   }
//
// Steps: absl::SetProgramUsageMessage(usage); a check of every flag on the command line (an
// unknown flag, a missing value or a value that does not parse prints one line to stderr and exits
// with status 2); absl::ParseCommandLine (which handles --help, --flagfile and friends); then
// ApplyEnvironment(ProcessEnvironment()), where a bad `BACKOFFICE_<FLAG>` value prints one line
// naming the variable and exits with status 2. Returns the positional arguments, argv[0] first.
std::vector<char*> ParseCommandLine(int argc, char** argv, std::string_view usage);

// The check ParseCommandLine runs before Abseil parses: every `--name[=value]` argument (up to a
// bare `--`) must name a registered flag (`--noname` only for bool flags) and carry a value that
// the flag accepts. Returns INVALID_ARGUMENT with one line describing the first problem. When the
// command line uses --undefok the check is left entirely to Abseil.
absl::Status ValidateCommandLine(int argc, char** argv);

}  // namespace backoffice::config

#endif  // BACKOFFICE_LIBS_CONFIG_COMMAND_LINE_H_
