#include "libs/config/command_line.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/internal/private_handle_accessor.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/config/environment.h"

namespace backoffice::config {
namespace {

constexpr int kUsageExitCode = 2;

[[noreturn]] void ExitWithUsageError(absl::string_view program, absl::string_view message) {
  std::string line = absl::StrCat(program, ": ", message, "\n");
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
  std::exit(kUsageExitCode);
}

absl::string_view ProgramName(int argc, char** argv) {
  if (argc < 1 || argv[0] == nullptr) {
    return "program";
  }
  absl::string_view path = argv[0];
  if (size_t slash = path.rfind('/'); slash != absl::string_view::npos) {
    path.remove_prefix(slash + 1);
  }
  return path;
}

}  // namespace

absl::Status ValidateCommandLine(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (absl::StartsWith(argv[i], "--undefok") || absl::StartsWith(argv[i], "-undefok")) {
      return absl::OkStatus();  // Abseil's own rules then decide which unknown flags are fine.
    }
  }
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--") {
      break;  // Everything after a bare "--" is positional.
    }
    if (arg.size() < 2 || arg[0] != '-') {
      continue;  // Positional argument (or a lone "-").
    }
    arg.remove_prefix(arg[1] == '-' ? 2 : 1);
    absl::string_view name = arg;
    absl::string_view value;
    bool has_value = false;
    if (size_t eq = arg.find('='); eq != absl::string_view::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      has_value = true;
    }

    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr && absl::StartsWith(name, "no")) {
      absl::CommandLineFlag* positive = absl::FindCommandLineFlag(name.substr(2));
      if (positive != nullptr && positive->IsOfType<bool>()) {
        if (has_value) {
          return absl::InvalidArgumentError(
              absl::StrCat("flag --", name, " takes no value (use --", name.substr(2), "=...)"));
        }
        continue;
      }
    }
    if (flag == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown flag --", name, " (run with --help to list the flags)"));
    }
    if (flag->IsRetired()) {
      continue;  // Abseil accepts and ignores retired flags.
    }
    if (!has_value) {
      if (flag->IsOfType<bool>()) {
        continue;
      }
      if (i + 1 >= argc) {
        return absl::InvalidArgumentError(absl::StrCat("flag --", name, " needs a value"));
      }
      value = argv[++i];
    }
    if (!absl::flags_internal::PrivateHandleAccessor::ValidateInputValue(*flag, value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("illegal value '", value, "' for flag --", name));
    }
  }
  return absl::OkStatus();
}

std::vector<char*> ParseCommandLine(int argc, char** argv, std::string_view usage) {
  // Abseil aborts when the usage message is set twice; a second ParseCommandLine keeps the first.
  static std::atomic<bool> usage_set{false};
  if (!usage_set.exchange(true)) {
    absl::SetProgramUsageMessage(absl::string_view(usage.data(), usage.size()));
  }
  const absl::string_view program = ProgramName(argc, argv);
  if (absl::Status valid = ValidateCommandLine(argc, argv); !valid.ok()) {
    ExitWithUsageError(program, valid.message());
  }
  // Anything the check above lets through that Abseil still rejects makes Abseil print its own
  // one-line "ERROR: ..." and exit with status 1.
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (absl::Status env = ApplyEnvironment(ProcessEnvironment()); !env.ok()) {
    ExitWithUsageError(program, env.message());
  }
  return positional;
}

}  // namespace backoffice::config
