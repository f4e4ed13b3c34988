// Load driver of the roles service benchmark (bench/roles/run.sh starts everything it needs).
// Logs in through the users service's Login RPC, then drives each scenario in a closed loop for a
// warm-up and a measured window, and prints a Markdown table: requests/s and latency percentiles
// per scenario, then what each scenario's setup learnt.
//
//   roles_bench --roles_target=127.0.0.1:50052 --users_target=127.0.0.1:50051
//       --email=admin@example.com --password_file=pw --users_file=ids.txt --concurrency=32
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/roles/roles_scenarios.h"
#include "bench/roles/scenario_plan.h"
#include "bench/users/load_runner.h"
#include "bench/users/users_scenarios.h"
#include "libs/config/command_line.h"
#include "libs/config/secret_file.h"

ABSL_FLAG(std::string, roles_target, "127.0.0.1:50052", "roles service gRPC address");
ABSL_FLAG(std::string, users_target, "127.0.0.1:50051", "users service gRPC address (Login)");
ABSL_FLAG(std::string, email, "", "account to log in as (needs roles:read)");
ABSL_FLAG(std::string, password_file, "", "file holding that account's password");
ABSL_FLAG(std::string, users_file, "", "ids of users with grants, one per line");
ABSL_FLAG(std::string, scenarios, "effective_cold,check_hot,batch_check_10,check_single_caller",
          "comma-separated scenarios to run, in order (effective_cold first when present)");
ABSL_FLAG(int, concurrency, 32, "concurrent callers (threads) of every scenario but the single");
ABSL_FLAG(int, channels, 4, "gRPC channels (HTTP/2 connections) the callers share");
ABSL_FLAG(absl::Duration, warmup, absl::Seconds(2), "warm-up before each measured window");
ABSL_FLAG(absl::Duration, cold_warmup, absl::Milliseconds(200),
          "warm-up of effective_cold (short: its users run out in seconds)");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(10), "measured window of each scenario");
ABSL_FLAG(absl::Duration, deadline, absl::Seconds(10), "deadline of each call");
ABSL_FLAG(int, batch_size, 10, "checks per BatchCheckPermissions call of batch_check_10");

namespace backoffice::bench {
namespace {

void Note(const std::string& text) { std::fprintf(stderr, "roles_bench: %s\n", text.c_str()); }

std::string Ms(absl::Duration d) { return absl::StrFormat("%.2f", absl::ToDoubleMilliseconds(d)); }

absl::StatusOr<std::vector<std::string>> ReadIds(const std::string& path) {
  std::ifstream file(path);
  if (!file) {
    return absl::NotFoundError(absl::StrCat("--users_file: cannot read ", path));
  }
  std::vector<std::string> ids;
  std::string line;
  while (std::getline(file, line)) {
    if (absl::string_view id = absl::StripAsciiWhitespace(line); !id.empty()) {
      ids.emplace_back(id);
    }
  }
  if (ids.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("--users_file: no ids in ", path));
  }
  return ids;
}

std::string Share(const CheckTally& tally) {
  const int64_t allowed = tally.allowed.load();
  const int64_t all = allowed + tally.denied.load();
  return absl::StrFormat("%d of %d checks allowed (%.1f%%)", allowed, all,
                         all > 0 ? 100.0 * static_cast<double>(allowed) / all : 0.0);
}

// One scenario, ready to run: its calls, callers, warm-up, call budget, and a note for after the
// run.
struct Plan {
  std::string what;
  int threads = 1;
  absl::Duration warmup = absl::GetFlag(FLAGS_warmup);
  int64_t max_calls = 0;
  CallFactory calls;
  std::function<std::string()> after;
};

// What scenarios share: the environment, the dispenser of fresh users, tallies, and whether the
// cache holds every user yet.
class Driver {
 public:
  explicit Driver(RolesEnv& env) : env_(env), fresh_(env.user_ids) {}

  absl::StatusOr<Plan> Prepare(const std::string& name) {
    const int threads = absl::GetFlag(FLAGS_concurrency);
    if (name == "effective_cold") {
      return Plan{
          .what = "GetEffectivePermissions, a user never asked about each call (cache miss)",
          .threads = threads,
          .warmup = absl::GetFlag(FLAGS_cold_warmup),
          .max_calls = fresh_.size(),
          .calls = EffectiveColdCalls(env_, fresh_),
          .after = [this] {
            return absl::StrCat("effective_cold: ", fresh_.used(), " of ", fresh_.size(),
                                " users consumed (warm-up included)");
          }};
    }
    if (absl::Status warm = Warm(); !warm.ok()) return warm;
    if (name == "batch_check_10") {
      const int batch = absl::GetFlag(FLAGS_batch_size);
      return Plan{
          .what = absl::StrCat("BatchCheckPermissions, ", batch, " random (user, permission)"),
          .threads = threads,
          .calls = BatchCheckCalls(env_, batch, batch_tally_),
          .after = [this] { return absl::StrCat("batch_check_10: ", Share(batch_tally_)); }};
    }
    CheckTally& tally = name == "check_hot" ? hot_tally_ : single_tally_;
    return Plan{.what = "CheckPermission, random (user, permission), cache warm",
                .threads = name == "check_hot" ? threads : 1,
                .calls = CheckCalls(env_, tally),
                .after = [name, &tally] { return absl::StrCat(name, ": ", Share(tally)); }};
  }

  std::vector<std::string>& notes() { return notes_; }

 private:
  // Resolves every user once (the first scenario that needs a warm cache pays, outside its clock).
  absl::Status Warm() {
    if (warm_) return absl::OkStatus();
    const absl::Time start = absl::Now();
    if (absl::Status s = WarmCache(env_); !s.ok()) return s;
    warm_ = true;
    notes_.push_back(absl::StrFormat(
        "cache warmed: each of the %d users asked about once by %d BatchCheckPermissions calls "
        "of 100, in %.2f s (the %d users effective_cold resolved were cached already)",
        env_.user_ids.size(), (env_.user_ids.size() + 99) / 100,
        absl::ToDoubleSeconds(absl::Now() - start), fresh_.used()));
    Note(notes_.back());
    return absl::OkStatus();
  }

  RolesEnv& env_;
  FreshIds fresh_;
  CheckTally hot_tally_, batch_tally_, single_tally_;
  bool warm_ = false;
  std::vector<std::string> notes_;
};

int Run() {
  absl::StatusOr<std::vector<std::string>> names =
      ParseScenarioList(absl::GetFlag(FLAGS_scenarios));
  absl::StatusOr<std::string> password = config::ReadSecretFile(absl::GetFlag(FLAGS_password_file));
  absl::StatusOr<std::vector<std::string>> ids = ReadIds(absl::GetFlag(FLAGS_users_file));
  const std::string email = absl::GetFlag(FLAGS_email);
  for (const absl::Status& s : {names.status(), password.status(), ids.status()}) {
    if (!s.ok()) {
      Note(std::string(s.message()));
      return 2;
    }
  }
  if (email.empty()) {
    Note("--email is required");
    return 2;
  }
  ScenarioEnv users;  // the users service, for Login only
  absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> users_channel =
      MakeChannels(absl::GetFlag(FLAGS_users_target), 1, absl::Seconds(10));
  absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> roles_channels =
      MakeChannels(absl::GetFlag(FLAGS_roles_target), std::max(1, absl::GetFlag(FLAGS_channels)),
                   absl::Seconds(10));
  if (!users_channel.ok() || !roles_channels.ok()) {
    Note(absl::StrCat(users_channel.status().ToString(), "; ", roles_channels.status().ToString()));
    return 1;
  }
  users.channels = *std::move(users_channel);
  RolesEnv env{.channels = *std::move(roles_channels),
               .user_ids = *std::move(ids),
               .deadline = absl::GetFlag(FLAGS_deadline)};
  users.deadline = env.deadline;

  Driver driver(env);
  std::vector<std::string> rows;
  std::vector<std::string> failures;
  for (const std::string& name : *names) {
    // A fresh token per scenario: access tokens live 15 minutes.
    absl::StatusOr<std::string> token = Login(users, email, *password);
    if (!token.ok()) {
      Note(absl::StrCat("login failed: ", token.status().ToString()));
      return 1;
    }
    env.access_token = *token;
    if (env.permissions.empty()) {
      absl::StatusOr<std::vector<std::string>> catalog = ListCatalog(env);
      if (!catalog.ok() || catalog->empty()) {
        Note(absl::StrCat("ListPermissions failed: ", catalog.status().ToString()));
        return 1;
      }
      env.permissions = *std::move(catalog);
      driver.notes().push_back(absl::StrCat("catalog: ", env.permissions.size(),
                                            " permissions, checked uniformly at random"));
    }
    absl::StatusOr<Plan> plan = driver.Prepare(name);
    if (!plan.ok()) {
      Note(absl::StrCat(name, ": setup failed: ", plan.status().ToString()));
      return 1;
    }
    const LoadOptions options{.threads = plan->threads,
                              .warmup = plan->warmup,
                              .duration = absl::GetFlag(FLAGS_duration),
                              .max_calls = plan->max_calls};
    Note(absl::StrCat(name, ": ", options.threads, " callers, ",
                      absl::FormatDuration(options.warmup), " warm-up + ",
                      absl::FormatDuration(options.duration)));
    LoadResult result = RunClosedLoop(options, plan->calls);
    const LatencySummary& s = result.summary;
    rows.push_back(absl::StrFormat(
        "| %s | %s | %d | %d | %.1f | %.0f | %s | %s | %s | %s | %s | %s | %d |", name, plan->what,
        options.threads, s.requests, absl::ToDoubleSeconds(result.measured), s.requests_per_second,
        Ms(s.mean), Ms(s.p50), Ms(s.p90), Ms(s.p99), Ms(s.p999), Ms(s.max), s.errors));
    driver.notes().push_back(plan->after());
    if (!result.first_error.ok()) {
      failures.push_back(
          absl::StrCat(name, ": ", s.errors, " errors, first: ", result.first_error.ToString()));
    }
  }

  std::printf(
      "| scenario | calls | callers | ok calls | window s | req/s | mean ms | p50 ms | p90 ms "
      "| p99 ms | p99.9 ms | max ms | errors |\n");
  std::printf("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
  for (const std::string& row : rows) std::printf("%s\n", row.c_str());
  if (!failures.empty()) {
    std::printf("\nFailures:\n\n");
    for (const std::string& failure : failures) std::printf("- %s\n", failure.c_str());
  }
  std::printf("\nSetup and answers:\n\n");
  for (const std::string& note : driver.notes()) std::printf("- %s\n", note.c_str());
  return failures.empty() ? 0 : 3;
}

}  // namespace
}  // namespace backoffice::bench

int main(int argc, char** argv) {
  backoffice::config::ParseCommandLine(argc, argv,
                                       "Load driver of the roles service benchmark (see "
                                       "bench/README.md; bench/roles/run.sh runs it).");
  return backoffice::bench::Run();
}
