#include "libs/config/environment.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "absl/flags/flag.h"
#include "absl/time/time.h"

ABSL_FLAG(int32_t, cfg_env_port, 8080, "test flag: set from the environment");
ABSL_FLAG(std::string, cfg_env_host, "localhost", "test flag: set from the environment");
ABSL_FLAG(bool, cfg_env_verbose, false, "test flag: bool from the environment");
ABSL_FLAG(absl::Duration, cfg_env_timeout, absl::Seconds(1), "test flag: duration");
ABSL_FLAG(int32_t, cfg_bad_port, 1, "test flag: gets a bad environment value");
ABSL_FLAG(int32_t, cfg_untouched, 7, "test flag: no environment variable");

namespace backoffice::config {
namespace {

EnvLookup MapLookup(std::map<std::string, std::string> env) {
  return [env = std::move(env)](std::string_view name) -> std::optional<std::string> {
    auto it = env.find(std::string(name));
    if (it == env.end()) {
      return std::nullopt;
    }
    return it->second;
  };
}

TEST_CASE("EnvVarForFlag upper-cases the flag name after the prefix") {
  CHECK(EnvVarForFlag("db_password_file") == "BACKOFFICE_DB_PASSWORD_FILE");
}

TEST_CASE("ApplyEnvironment fills unset flags from BACKOFFICE_ variables") {
  REQUIRE(ApplyEnvironment(MapLookup({
                               {"BACKOFFICE_CFG_ENV_PORT", "9090"},
                               {"BACKOFFICE_CFG_ENV_HOST", "db.internal"},
                               {"BACKOFFICE_CFG_ENV_VERBOSE", "true"},
                               {"BACKOFFICE_CFG_ENV_TIMEOUT", "250ms"},
                               {"cfg_untouched", "99"},  // Not the BACKOFFICE_ name: ignored.
                               {"CFG_UNTOUCHED", "99"},
                           }))
              .ok());
  CHECK(absl::GetFlag(FLAGS_cfg_env_port) == 9090);
  CHECK(absl::GetFlag(FLAGS_cfg_env_host) == "db.internal");
  CHECK(absl::GetFlag(FLAGS_cfg_env_verbose));
  CHECK(absl::GetFlag(FLAGS_cfg_env_timeout) == absl::Milliseconds(250));
  CHECK(absl::GetFlag(FLAGS_cfg_untouched) == 7);
}

TEST_CASE("A bad environment value is an error naming the variable, not the value") {
  absl::SetFlag(&FLAGS_cfg_bad_port, 1);
  absl::SetFlag(&FLAGS_cfg_untouched, 7);
  absl::Status status = ApplyEnvironment(MapLookup({
      {"BACKOFFICE_CFG_BAD_PORT", "eighty-s3cret"},
      {"BACKOFFICE_CFG_UNTOUCHED", "12"},
  }));
  REQUIRE(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(status.message() == "environment variable BACKOFFICE_CFG_BAD_PORT is not a 32-bit integer");
  CHECK(absl::GetFlag(FLAGS_cfg_bad_port) == 1);
  // A good variable next to the bad one is still applied.
  CHECK(absl::GetFlag(FLAGS_cfg_untouched) == 12);
}

TEST_CASE("Every bad variable is reported, sorted by name") {
  absl::Status status = ApplyEnvironment(MapLookup({
      {"BACKOFFICE_CFG_ENV_VERBOSE", "maybe"},
      {"BACKOFFICE_CFG_BAD_PORT", "x"},
  }));
  REQUIRE(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(status.message() ==
        "environment variable BACKOFFICE_CFG_BAD_PORT is not a 32-bit integer; environment "
        "variable BACKOFFICE_CFG_ENV_VERBOSE is not a bool (true/false)");
}

TEST_CASE("Abseil's own flags are never read from the environment") {
  // --help from the environment would print usage and exit; the test finishing proves it did not.
  CHECK(ApplyEnvironment(
            MapLookup({{"BACKOFFICE_HELP", "true"}, {"BACKOFFICE_FLAGFILE", "/nonexistent"}}))
            .ok());
}

}  // namespace
}  // namespace backoffice::config
