// Load driver of the users service benchmark (bench/users/run.sh starts everything it needs).
// Logs in through the Login RPC, then drives each scenario in a closed loop for a warm-up and a
// measured window, and prints a Markdown table: requests/s and latency percentiles per scenario.
//
//   users_bench --target=127.0.0.1:50051 --email=admin@example.com --password_file=pw
//       --ids_file=ids.txt --concurrency=32 --duration=10s
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "bench/users/load_runner.h"
#include "bench/users/users_scenarios.h"
#include "libs/config/command_line.h"
#include "libs/config/secret_file.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50051", "users service gRPC address");
ABSL_FLAG(std::string, email, "", "account to log in as (needs users:read)");
ABSL_FLAG(std::string, password_file, "", "file holding that account's password");
ABSL_FLAG(std::string, ids_file, "", "ids of seeded users, one per line (GetUser, BatchGetUsers)");
ABSL_FLAG(std::string, scenarios,
          "get_user,batch_get,list_first_page,list_deep_page,list_offset_page,list_query,login",
          "comma-separated scenarios to run, in order");
ABSL_FLAG(int, concurrency, 32, "concurrent callers (threads) of every scenario but login");
ABSL_FLAG(int, channels, 4, "gRPC channels (HTTP/2 connections) the callers share");
ABSL_FLAG(int, login_concurrency, 4, "concurrent callers of the login scenario");
ABSL_FLAG(absl::Duration, warmup, absl::Seconds(2), "warm-up before each measured window");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(10), "measured window of each scenario");
ABSL_FLAG(absl::Duration, deadline, absl::Seconds(10), "deadline of each call");
ABSL_FLAG(int, batch_size, 100, "ids per BatchGetUsers call");
ABSL_FLAG(int, page_size, 25, "rows per ListUsers page");
ABSL_FLAG(int, deep_rows, 10000, "depth of the deep page (rows before it)");
ABSL_FLAG(int, walk_step, 500, "page size used to walk to the deep page");
ABSL_FLAG(std::string, query, "99@", "text query of list_query (substring of ~1% of emails)");

namespace backoffice::bench {
namespace {

namespace v1 = users::v1;

struct Scenario {
  std::string name;
  std::string what;
  int threads;
  std::function<absl::StatusOr<CallFactory>()> setup;
};

absl::StatusOr<std::vector<std::string>> ReadIds(const std::string& path) {
  std::ifstream file(path);
  if (!file) {
    return absl::NotFoundError(absl::StrCat("--ids_file: cannot read ", path));
  }
  std::vector<std::string> ids;
  std::string line;
  while (std::getline(file, line)) {
    absl::string_view id = absl::StripAsciiWhitespace(line);
    if (!id.empty()) {
      ids.emplace_back(id);
    }
  }
  if (ids.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("--ids_file: no ids in ", path));
  }
  return ids;
}

std::string Ms(absl::Duration d) { return absl::StrFormat("%.2f", absl::ToDoubleMilliseconds(d)); }

void Note(const std::string& text) { std::fprintf(stderr, "users_bench: %s\n", text.c_str()); }

// Facts learnt while setting scenarios up, printed under the table.
std::vector<std::string>& SetupNotes() {
  static std::vector<std::string> notes;
  return notes;
}

v1::ListUsersRequest FirstPageRequest() {
  v1::ListUsersRequest request;
  request.mutable_page()->set_page_size(absl::GetFlag(FLAGS_page_size));
  backoffice::common::v1::SortOrder* order = request.add_order_by();
  order->set_field("create_time");
  order->set_direction(backoffice::common::v1::SORT_DIRECTION_DESC);
  return request;
}

std::string TotalText(const v1::ListUsersResponse& response) {
  return absl::StrCat(response.page_info().total_is_estimate() ? "~" : "",
                      response.page_info().total_size());
}

// A ListUsers scenario with `request`: one call first to learn the page's row count (every later
// call must return as many) and to report the total.
absl::StatusOr<CallFactory> ListScenario(const ScenarioEnv& env, const std::string& name,
                                         v1::ListUsersRequest request) {
  absl::StatusOr<v1::ListUsersResponse> first = ListOnce(env, request);
  if (!first.ok()) {
    return first.status();
  }
  if (first->users_size() == 0) {
    return absl::FailedPreconditionError(absl::StrCat(name, ": the page is empty"));
  }
  SetupNotes().push_back(absl::StrCat(
      name, ": ", first->users_size(), " rows per page, total_size ", TotalText(*first),
      first->page_info().total_is_estimate() ? " (estimate)" : " (exact)", ", first row ",
      first->users(0).email()));
  Note(SetupNotes().back());
  return ListCalls(env, std::move(request), first->users_size());
}

std::vector<Scenario> AllScenarios(ScenarioEnv& env, const std::string& email,
                                   const std::string& password) {
  const int threads = absl::GetFlag(FLAGS_concurrency);
  const int deep = absl::GetFlag(FLAGS_deep_rows);
  const int page = absl::GetFlag(FLAGS_page_size);
  const int batch = absl::GetFlag(FLAGS_batch_size);
  const std::string query = absl::GetFlag(FLAGS_query);
  std::vector<Scenario> scenarios;
  scenarios.push_back({"get_user", "GetUser, random seeded id", threads,
                       [&env]() -> absl::StatusOr<CallFactory> { return GetUserCalls(env); }});
  scenarios.push_back(
      {"batch_get", absl::StrCat("BatchGetUsers, ", batch, " random ids"), threads,
       [&env, batch]() -> absl::StatusOr<CallFactory> { return BatchGetCalls(env, batch); }});
  scenarios.push_back(
      {"list_first_page",
       absl::StrCat("ListUsers, first ", page, " by create_time desc, with total"), threads,
       [&env]() { return ListScenario(env, "list_first_page", FirstPageRequest()); }});
  scenarios.push_back(
      {"list_deep_page",
       absl::StrCat("ListUsers, ", page, " rows after row ", deep, " by page token"), threads,
       [&env, deep]() -> absl::StatusOr<CallFactory> {
         v1::ListUsersRequest request = FirstPageRequest();
         absl::StatusOr<std::string> token =
             WalkToDepth(env, request, deep, absl::GetFlag(FLAGS_walk_step));
         if (!token.ok()) {
           return token.status();
         }
         request.mutable_page()->set_page_token(*token);
         return ListScenario(env, "list_deep_page", std::move(request));
       }});
  scenarios.push_back(
      {"list_offset_page",
       absl::StrCat("ListUsers, ", page, " rows after row ", deep, " by offset (for contrast)"),
       threads, [&env, deep]() {
         v1::ListUsersRequest request = FirstPageRequest();
         request.mutable_page()->set_offset(deep);
         return ListScenario(env, "list_offset_page", std::move(request));
       }});
  scenarios.push_back(
      {"list_query", absl::StrCat("ListUsers, query \"", query, "\", first ", page, ", with total"),
       threads, [&env, query]() {
         v1::ListUsersRequest request = FirstPageRequest();
         request.set_query(query);
         return ListScenario(env, "list_query", std::move(request));
       }});
  scenarios.push_back({"login", "Login (argon2id verify + session + token)",
                       absl::GetFlag(FLAGS_login_concurrency),
                       [&env, email, password]() -> absl::StatusOr<CallFactory> {
                         return LoginCalls(env, email, password);
                       }});
  return scenarios;
}

int Run() {
  const std::string email = absl::GetFlag(FLAGS_email);
  absl::StatusOr<std::string> password = config::ReadSecretFile(absl::GetFlag(FLAGS_password_file));
  if (email.empty() || !password.ok()) {
    Note("--email and a readable --password_file are required");
    return 2;
  }
  ScenarioEnv env;
  env.deadline = absl::GetFlag(FLAGS_deadline);
  absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> channels = MakeChannels(
      absl::GetFlag(FLAGS_target), std::max(1, absl::GetFlag(FLAGS_channels)), absl::Seconds(10));
  if (!channels.ok()) {
    Note(std::string(channels.status().message()));
    return 1;
  }
  env.channels = *std::move(channels);

  const std::vector<std::string> wanted =
      absl::StrSplit(absl::GetFlag(FLAGS_scenarios), ',', absl::SkipEmpty());
  const bool needs_ids = std::any_of(wanted.begin(), wanted.end(), [](const std::string& name) {
    return name == "get_user" || name == "batch_get";
  });
  if (needs_ids) {
    absl::StatusOr<std::vector<std::string>> ids = ReadIds(absl::GetFlag(FLAGS_ids_file));
    if (!ids.ok()) {
      Note(std::string(ids.status().message()));
      return 2;
    }
    env.user_ids = *std::move(ids);
  }

  const LoadOptions base{.warmup = absl::GetFlag(FLAGS_warmup),
                         .duration = absl::GetFlag(FLAGS_duration)};
  std::vector<Scenario> scenarios = AllScenarios(env, email, *password);
  std::vector<std::string> rows;
  std::vector<std::string> failures;
  for (const std::string& name : wanted) {
    auto scenario = std::find_if(scenarios.begin(), scenarios.end(),
                                 [&](const Scenario& s) { return s.name == name; });
    if (scenario == scenarios.end()) {
      Note(absl::StrCat("unknown scenario ", name));
      return 2;
    }
    // A fresh token per scenario: access tokens live 15 minutes.
    absl::StatusOr<std::string> token = Login(env, email, *password);
    if (!token.ok()) {
      Note(absl::StrCat("login failed: ", token.status().ToString()));
      return 1;
    }
    env.access_token = *token;
    absl::StatusOr<CallFactory> calls = scenario->setup();
    if (!calls.ok()) {
      Note(absl::StrCat(name, ": setup failed: ", calls.status().ToString()));
      return 1;
    }
    Note(absl::StrCat(name, ": ", scenario->threads, " callers, ",
                      absl::FormatDuration(base.warmup), " warm-up + ",
                      absl::FormatDuration(base.duration)));
    LoadOptions options = base;
    options.threads = scenario->threads;
    LoadResult result = RunClosedLoop(options, *calls);
    const LatencySummary& s = result.summary;
    rows.push_back(absl::StrFormat("| %s | %s | %d | %d | %.0f | %s | %s | %s | %s | %s | %d |",
                                   scenario->name, scenario->what, scenario->threads, s.requests,
                                   s.requests_per_second, Ms(s.mean), Ms(s.p50), Ms(s.p90),
                                   Ms(s.p99), Ms(s.max), s.errors));
    if (!result.first_error.ok()) {
      failures.push_back(
          absl::StrCat(name, ": ", s.errors, " errors, first: ", result.first_error.ToString()));
    }
  }

  std::printf(
      "| scenario | what | callers | ok calls | req/s | mean ms | p50 ms | p90 ms | p99 ms "
      "| max ms | errors |\n");
  std::printf("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
  for (const std::string& row : rows) {
    std::printf("%s\n", row.c_str());
  }
  if (!failures.empty()) {
    std::printf("\nFailures:\n\n");
    for (const std::string& failure : failures) {
      std::printf("- %s\n", failure.c_str());
    }
  }
  if (!SetupNotes().empty()) {
    std::printf("\nSetup:\n\n");
    for (const std::string& note : SetupNotes()) {
      std::printf("- %s\n", note.c_str());
    }
  }
  return failures.empty() ? 0 : 3;
}

}  // namespace
}  // namespace backoffice::bench

int main(int argc, char** argv) {
  backoffice::config::ParseCommandLine(argc, argv,
                                       "Load driver of the users service benchmark (see "
                                       "bench/README.md; bench/users/run.sh runs it).");
  return backoffice::bench::Run();
}
