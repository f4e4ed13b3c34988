#include "libs/config/command_line.h"

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "libs/config/environment.h"

ABSL_FLAG(int32_t, cfg_cli_port, 8080, "test flag: given on the command line and in env");
ABSL_FLAG(std::string, cfg_cli_name, "default", "test flag: only in the environment");
ABSL_FLAG(bool, cfg_cli_debug, false, "test flag: bool");
ABSL_FLAG(int32_t, cfg_child_port, 1, "test flag: used by child processes");

namespace backoffice::config {
namespace {

// argv for tests: owns the strings, hands out char**.
class Argv final {
 public:
  explicit Argv(std::vector<std::string> args) : args_(std::move(args)) {
    for (std::string& arg : args_) {
      pointers_.push_back(arg.data());
    }
    pointers_.push_back(nullptr);
  }
  int argc() const { return static_cast<int>(args_.size()); }
  char** argv() { return pointers_.data(); }

 private:
  std::vector<std::string> args_;
  std::vector<char*> pointers_;
};

struct ChildResult {
  int exit_code = -1;
  std::string err;
};

// Runs `body` in a forked child with stderr captured; the child exits 0 if `body` returns.
ChildResult RunInChild(const std::function<void()>& body) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    ::dup2(fds[1], STDERR_FILENO);
    std::signal(SIGABRT, SIG_DFL);  // An abort shows as a wrong exit, not as Catch2's report.
    body();
    ::_exit(0);
  }
  ::close(fds[1]);
  ChildResult result;
  char buffer[512];
  ssize_t n;
  while ((n = ::read(fds[0], buffer, sizeof(buffer))) > 0) {
    result.err.append(buffer, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  result.exit_code = WEXITSTATUS(status);
  return result;
}

TEST_CASE("ValidateCommandLine accepts the flag syntaxes Abseil accepts") {
  Argv args({"prog", "--cfg_cli_port=1", "-cfg_cli_port", "2", "pos", "--cfg_cli_debug",
             "--nocfg_cli_debug", "--cfg_cli_debug=false", "--", "--not-a-flag"});
  CHECK(ValidateCommandLine(args.argc(), args.argv()).ok());
}

TEST_CASE("ValidateCommandLine rejects unknown flags, bad values and missing values") {
  Argv unknown({"prog", "--no_such_flag=1"});
  absl::Status status = ValidateCommandLine(unknown.argc(), unknown.argv());
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(status.message() == "unknown flag --no_such_flag (run with --help to list the flags)");

  Argv bad_value({"prog", "--cfg_cli_port=abc"});
  status = ValidateCommandLine(bad_value.argc(), bad_value.argv());
  CHECK(status.message() == "illegal value 'abc' for flag --cfg_cli_port");

  Argv missing({"prog", "--cfg_cli_port"});
  status = ValidateCommandLine(missing.argc(), missing.argv());
  CHECK(status.message() == "flag --cfg_cli_port needs a value");

  Argv negated_int({"prog", "--nocfg_cli_port"});
  CHECK(!ValidateCommandLine(negated_int.argc(), negated_int.argv()).ok());

  Argv bad_bool({"prog", "--cfg_cli_debug=maybe"});
  CHECK(!ValidateCommandLine(bad_bool.argc(), bad_bool.argv()).ok());
}

TEST_CASE("ParseCommandLine: the command line beats the environment, env fills the rest") {
  REQUIRE(::setenv("BACKOFFICE_CFG_CLI_PORT", "1111", 1) == 0);
  REQUIRE(::setenv("BACKOFFICE_CFG_CLI_NAME", "from-env", 1) == 0);
  Argv args({"prog", "--cfg_cli_port=9000", "positional"});
  std::vector<char*> rest = ParseCommandLine(args.argc(), args.argv(), "test usage");
  ::unsetenv("BACKOFFICE_CFG_CLI_PORT");
  ::unsetenv("BACKOFFICE_CFG_CLI_NAME");

  REQUIRE(rest.size() == 2);
  CHECK(std::string(rest[0]) == "prog");
  CHECK(std::string(rest[1]) == "positional");
  CHECK(absl::GetFlag(FLAGS_cfg_cli_port) == 9000);
  CHECK(absl::GetFlag(FLAGS_cfg_cli_name) == "from-env");

  // Later environment passes still leave flags given on the command line alone.
  REQUIRE(ApplyEnvironment([](std::string_view name) -> std::optional<std::string> {
            if (name == "BACKOFFICE_CFG_CLI_PORT") return "2222";
            if (name == "BACKOFFICE_CFG_CLI_NAME") return "second";
            return std::nullopt;
          }).ok());
  CHECK(absl::GetFlag(FLAGS_cfg_cli_port) == 9000);
  CHECK(absl::GetFlag(FLAGS_cfg_cli_name) == "second");
}

TEST_CASE("ParseCommandLine exits 2 with one line for an unknown flag") {
  ChildResult child = RunInChild([] {
    Argv args({"/usr/bin/myservice", "--bogus_flag=3"});
    ParseCommandLine(args.argc(), args.argv(), "usage");
  });
  CHECK(child.exit_code == 2);
  CHECK(child.err == "myservice: unknown flag --bogus_flag (run with --help to list the flags)\n");
}

TEST_CASE("ParseCommandLine exits 2 with one line for a bad flag value") {
  ChildResult child = RunInChild([] {
    Argv args({"myservice", "--cfg_child_port=http"});
    ParseCommandLine(args.argc(), args.argv(), "usage");
  });
  CHECK(child.exit_code == 2);
  CHECK(child.err == "myservice: illegal value 'http' for flag --cfg_child_port\n");
}

TEST_CASE("ParseCommandLine exits 2 with one line naming a bad environment variable") {
  ChildResult child = RunInChild([] {
    ::setenv("BACKOFFICE_CFG_CHILD_PORT", "not-a-port", 1);
    Argv args({"myservice"});
    ParseCommandLine(args.argc(), args.argv(), "usage");
  });
  CHECK(child.exit_code == 2);
  CHECK(child.err ==
        "myservice: environment variable BACKOFFICE_CFG_CHILD_PORT is not a 32-bit integer\n");
}

}  // namespace
}  // namespace backoffice::config
