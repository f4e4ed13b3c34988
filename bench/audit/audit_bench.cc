// Load driver of the audit service benchmark (bench/audit/run.sh starts everything it needs and
// calls it once per phase). Prints a Markdown table of the scenarios it ran.
//
//   audit_bench --phase=append --audit_target=127.0.0.1:50053 --service_key_file=k.pem
//       --events=10000000 --layout_from=... --layout_to=...
//   audit_bench --phase=query --users_target=... --email=... --password_file=...
//   audit_bench --phase=verify ...      audit_bench --phase=relay --users_file=ids.txt ...
#include <sys/resource.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <tuple>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/audit/audit_scenarios.h"
#include "bench/audit/event_model.h"
#include "bench/audit/relay_load.h"
#include "bench/users/latency_stats.h"
#include "bench/users/load_runner.h"
#include "bench/users/users_scenarios.h"
#include "libs/config/command_line.h"
#include "libs/config/secret_file.h"

ABSL_FLAG(std::string, phase, "append", "append, query, verify or relay");
ABSL_FLAG(std::string, audit_target, "127.0.0.1:50053", "audit service gRPC address");
ABSL_FLAG(std::string, users_target, "127.0.0.1:50051", "users service gRPC address");
ABSL_FLAG(std::string, email, "", "account to log in as (audit:read; users:write for relay)");
ABSL_FLAG(std::string, password_file, "", "file holding that account's password");
ABSL_FLAG(std::string, service_key_file, "", "Ed25519 PEM key the audit service trusts (append)");
ABSL_FLAG(std::string, service_key_id, "audit-bench", "its key id in the audit service's JWKS");
ABSL_FLAG(int64_t, events, 0, "events seeded (the model's layout)");
ABSL_FLAG(std::string, layout_from, "", "RFC 3339: the seed's --from");
ABSL_FLAG(std::string, layout_to, "", "RFC 3339: the seed's --to");
ABSL_FLAG(std::string, batches, "1,100,500",
          "append: events per AppendEvents call, one scenario each");
ABSL_FLAG(std::string, query_scenarios,
          "query_resource,query_actor,query_action,query_unfiltered,query_deep",
          "query: scenarios to run, in order");
ABSL_FLAG(int, concurrency, 16, "query: concurrent callers (threads)");
ABSL_FLAG(std::string, append_concurrency, "4,16",
          "append: concurrent callers, one pass over --batches each");
ABSL_FLAG(bool, single_caller, true, "query: also run each scenario with one caller");
ABSL_FLAG(int, channels, 4, "gRPC channels (HTTP/2 connections) the callers share");
ABSL_FLAG(absl::Duration, warmup, absl::Seconds(2), "warm-up before each measured window");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(10), "measured window of each scenario");
ABSL_FLAG(absl::Duration, deadline, absl::Seconds(60), "deadline of each call");
ABSL_FLAG(int, page_size, 50, "query: rows per page");
ABSL_FLAG(int64_t, deep_rows, 100000, "query_deep: rows before the deep page (newest first)");
ABSL_FLAG(int64_t, verify_piece, 1000000,
          "verify: events per VerifyChain call (API max 1,000,000)");
ABSL_FLAG(std::string, users_file, "", "relay: ids of users to update, one per line");
ABSL_FLAG(double, relay_rate, 50, "relay: UpdateUser calls per second");
ABSL_FLAG(std::string, cpu_file, "",
          "when set, the driver's own user and system CPU seconds are written there at the end");
ABSL_FLAG(absl::Duration, relay_duration, absl::Seconds(30), "relay: length of the load");

namespace backoffice::bench {
namespace {

void Note(const std::string& text) { std::fprintf(stderr, "audit_bench: %s\n", text.c_str()); }

std::string Ms(absl::Duration d) { return absl::StrFormat("%.2f", absl::ToDoubleMilliseconds(d)); }

absl::StatusOr<absl::Time> ParseTimeFlag(const std::string& name, const std::string& text) {
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &time, &error)) {
    return absl::InvalidArgumentError(absl::StrCat("--", name, ": ", error));
  }
  return time;
}

absl::StatusOr<std::vector<std::string>> ReadIds(const std::string& path) {
  std::ifstream file(path);
  if (!file) return absl::NotFoundError(absl::StrCat("--users_file: cannot read ", path));
  std::vector<std::string> ids;
  std::string line;
  while (std::getline(file, line)) {
    if (absl::string_view id = absl::StripAsciiWhitespace(line); !id.empty()) ids.emplace_back(id);
  }
  if (ids.empty()) return absl::InvalidArgumentError("--users_file: no ids");
  return ids;
}

LoadOptions Options(int threads) {
  return {.threads = threads,
          .warmup = absl::GetFlag(FLAGS_warmup),
          .duration = absl::GetFlag(FLAGS_duration)};
}

// The failures of a phase, printed under its table.
struct Failures {
  std::vector<std::string> lines;
  void Add(const std::string& name, const LoadResult& r) {
    if (!r.first_error.ok()) {
      lines.push_back(
          absl::StrCat(name, ": ", r.summary.errors, " errors, first: ", r.first_error.ToString()));
    }
  }
  int Print() const {
    if (lines.empty()) return 0;
    absl::PrintF("\nFailures:\n\n");
    for (const std::string& line : lines) absl::PrintF("- %s\n", line.c_str());
    return 3;
  }
};

int RunAppend(AuditEnv& env) {
  std::vector<std::unique_ptr<auth::ServiceTokenSource>> sources;
  for (const std::string& service : ModelServices()) {
    // One key signs for every model service: the audit service binds a token's subject, not its
    // key, to the events' service.
    absl::StatusOr<jwt::PrivateKey> key =
        auth::LoadPrivateKeyFile(absl::GetFlag(FLAGS_service_key_file),
                                 absl::GetFlag(FLAGS_service_key_id), "--service_key_file");
    if (!key.ok()) {
      Note(key.status().ToString());
      return 2;
    }
    sources.push_back(std::make_unique<auth::ServiceTokenSource>(
        *std::move(key), auth::ServiceTokenOptions{.service = service}));
    env.service_tokens[service] = sources.back().get();
  }
  absl::PrintF(
      "| scenario | events per call | callers | ok calls | window s | calls/s | **events/s** | "
      "mean ms | p50 ms | p90 ms | p99 ms | max ms | errors |\n");
  absl::PrintF("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
  Failures failures;
  int64_t accepted = 0;
  std::vector<int> batches, callers;
  for (auto [flag, list, max] : {std::tuple{"--batches", &batches, 500},
                                 std::tuple{"--append_concurrency", &callers, 1000}}) {
    const std::string text =
        list == &batches ? absl::GetFlag(FLAGS_batches) : absl::GetFlag(FLAGS_append_concurrency);
    for (absl::string_view item : absl::StrSplit(text, ',')) {
      int value = 0;
      if (!absl::SimpleAtoi(item, &value) || value < 1 || value > max) {
        Note(absl::StrCat(flag, ": ", item, " is not 1 to ", max));
        return 2;
      }
      list->push_back(value);
    }
  }
  for (int threads : callers) {
    for (int batch : batches) {
      const std::string name = absl::StrCat("append_", batch);
      LoadOptions options = Options(threads);
      Note(absl::StrCat(name, ": ", options.threads, " callers"));
      AppendTally tally;
      LoadResult r = RunClosedLoop(options, AppendCalls(env, batch, tally));
      const LatencySummary& s = r.summary;
      accepted += tally.accepted.load();
      absl::PrintF("| %s | %d | %d | %d | %.1f | %.0f | **%.0f** | %s | %s | %s | %s | %s | %d |\n",
                   name, batch, options.threads, s.requests, absl::ToDoubleSeconds(r.measured),
                   s.requests_per_second, s.requests_per_second * batch, Ms(s.mean), Ms(s.p50),
                   Ms(s.p90), Ms(s.p99), Ms(s.max), s.errors);
      std::fflush(stdout);
      failures.Add(absl::StrCat(name, " (", threads, " callers)"), r);
    }
  }
  absl::PrintF("\nEvents accepted in all (warm-up included): %d.\n", accepted);
  return failures.Print();
}

struct QueryScenario {
  std::string name;
  std::string what;
  CallFactory calls;
  QueryTally* tally = nullptr;
};

int RunQuery(AuditEnv& env) {
  const int page_size = absl::GetFlag(FLAGS_page_size);
  QueryTally tallies[4][2];
  std::vector<QueryScenario> scenarios;
  std::vector<std::string> notes;
  for (absl::string_view name : absl::StrSplit(absl::GetFlag(FLAGS_query_scenarios), ',')) {
    QueryFilter kind;
    std::string what;
    if (name == "query_resource") {
      kind = QueryFilter::kResource;
      what = "resource_type + resource_id of a random seeded event";
    } else if (name == "query_actor") {
      kind = QueryFilter::kActor;
      what = "actor_id of a random seeded event";
    } else if (name == "query_action") {
      kind = QueryFilter::kAction;
      what = "action of a random seeded event (one of 13)";
    } else if (name == "query_unfiltered") {
      kind = QueryFilter::kNone;
      what = "no filter";
    } else if (name == "query_deep") {
      const int64_t rows = absl::GetFlag(FLAGS_deep_rows);
      audit::v1::QueryEventsRequest request;
      const absl::Time walk_start = absl::Now();
      absl::StatusOr<std::string> token = WalkToDepth(env, request, rows);
      if (!token.ok()) {
        Note(absl::StrCat("query_deep: ", token.status().ToString()));
        return 1;
      }
      notes.push_back(absl::StrFormat(
          "query_deep: walked to row %d by %d pages of 500 (total NONE) in %.2f s", rows,
          (rows + 499) / 500, absl::ToDoubleSeconds(absl::Now() - walk_start)));
      request.mutable_page()->set_page_size(page_size);
      request.mutable_page()->set_page_token(*token);
      scenarios.push_back({std::string(name),
                           absl::StrCat("no filter, the page at row ", rows, " by token"),
                           PageCalls(env, request, page_size), nullptr});
      continue;
    } else {
      Note(absl::StrCat("unknown query scenario ", name));
      return 2;
    }
    scenarios.push_back({std::string(name), what,
                         FirstPageCalls(env, kind, page_size, tallies[static_cast<int>(kind)][0]),
                         &tallies[static_cast<int>(kind)][0]});
  }
  absl::PrintF(
      "| scenario | filter | callers | ok calls | req/s | mean ms | p50 ms | p90 ms | p99 ms | "
      "p99.9 ms | max ms | errors |\n");
  absl::PrintF("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
  Failures failures;
  std::vector<int> passes = {absl::GetFlag(FLAGS_concurrency)};
  if (absl::GetFlag(FLAGS_single_caller) && passes[0] != 1) passes.push_back(1);
  for (int threads : passes) {
    for (const QueryScenario& scenario : scenarios) {
      Note(absl::StrCat(scenario.name, ": ", threads, " callers"));
      LoadResult r = RunClosedLoop(Options(threads), scenario.calls);
      const LatencySummary& s = r.summary;
      absl::PrintF("| %s | %s | %d | %d | %.0f | %s | %s | %s | %s | %s | %s | %d |\n",
                   scenario.name, scenario.what, threads, s.requests, s.requests_per_second,
                   Ms(s.mean), Ms(s.p50), Ms(s.p90), Ms(s.p99), Ms(s.p999), Ms(s.max), s.errors);
      std::fflush(stdout);
      failures.Add(absl::StrCat(scenario.name, " (", threads, " callers)"), r);
    }
  }
  for (const QueryScenario& scenario : scenarios) {
    if (scenario.tally == nullptr || scenario.tally->calls == 0) continue;
    const double calls = static_cast<double>(scenario.tally->calls.load());
    notes.push_back(absl::StrFormat(
        "%s: %.1f rows a page on average, total_size %.0f on average (%.0f%% of them estimates), "
        "over %.0f calls (warm-up included)",
        scenario.name, static_cast<double>(scenario.tally->rows.load()) / calls,
        static_cast<double>(scenario.tally->total_sum.load()) / calls,
        100.0 * static_cast<double>(scenario.tally->estimated.load()) / calls, calls));
  }
  absl::PrintF("\n");
  for (const std::string& note : notes) absl::PrintF("- %s\n", note.c_str());
  return failures.Print();
}

int RunVerify(const AuditEnv& env) {
  const absl::Time start = absl::Now();
  absl::StatusOr<std::vector<VerifyPiece>> pieces =
      VerifyWholeChain(env, absl::GetFlag(FLAGS_verify_piece));
  if (!pieces.ok()) {
    Note(pieces.status().ToString());
    absl::PrintF("VerifyChain failed: %s\n", pieces.status().ToString().c_str());
    return 3;
  }
  const absl::Duration all = absl::Now() - start;
  int64_t events = 0;
  absl::Duration slowest, fastest = absl::InfiniteDuration();
  for (const VerifyPiece& p : *pieces) {
    events += p.verified;
    slowest = std::max(slowest, p.took);
    fastest = std::min(fastest, p.took);
  }
  absl::PrintF(
      "| calls | events verified | seconds | **events/s** | fastest call s | slowest call s | "
      "intact |\n|--:|--:|--:|--:|--:|--:|---|\n");
  absl::PrintF("| %d | %d | %.1f | **%.0f** | %.2f | %.2f | yes |\n", pieces->size(), events,
               absl::ToDoubleSeconds(all), static_cast<double>(events) / absl::ToDoubleSeconds(all),
               absl::ToDoubleSeconds(fastest), absl::ToDoubleSeconds(slowest));
  return 0;
}

int RunRelay(const AuditEnv& audit, const ScenarioEnv& users) {
  absl::StatusOr<std::vector<std::string>> ids = ReadIds(absl::GetFlag(FLAGS_users_file));
  if (!ids.ok()) {
    Note(ids.status().ToString());
    return 2;
  }
  RelayOptions options{.rate = absl::GetFlag(FLAGS_relay_rate),
                       .duration = absl::GetFlag(FLAGS_relay_duration)};
  absl::StatusOr<RelayResult> r = RunRelayLoad(users, audit, *ids, options);
  if (!r.ok()) {
    Note(r.status().ToString());
    return 1;
  }
  LatencySummary update = Summarize(r->update_ns, r->update_errors, r->elapsed);
  LatencySummary visible = Summarize(r->visible_ns, r->not_seen, r->elapsed);
  absl::PrintF(
      "| what | count | per s | mean ms | p50 ms | p90 ms | p99 ms | max ms | failed / not seen "
      "|\n|---|--:|--:|--:|--:|--:|--:|--:|--:|\n");
  absl::PrintF("| UpdateUser (users service) | %d | %.1f | %s | %s | %s | %s | %s | %d |\n",
               update.requests, update.requests_per_second, Ms(update.mean), Ms(update.p50),
               Ms(update.p90), Ms(update.p99), Ms(update.max), update.errors);
  absl::PrintF(
      "| change answered → event queryable (QueryEvents by request id) | %d | %.1f | %s | %s | "
      "%s | %s | %s | %d |\n",
      visible.requests, visible.requests_per_second, Ms(visible.mean), Ms(visible.p50),
      Ms(visible.p90), Ms(visible.p99), Ms(visible.max), visible.errors);
  absl::PrintF(
      "\nTarget %.0f updates/s for %s: %d calls in %.1f s. Probes: %d threads polling every %s; "
      "%d of %d events were found by a probe's first poll (their lag is at most that poll's "
      "latency). Request ids: `%s<n>`.\n",
      options.rate, absl::FormatDuration(options.duration), r->updates,
      absl::ToDoubleSeconds(r->elapsed), options.probers,
      absl::FormatDuration(options.poll_interval), r->found_on_first_poll, visible.requests,
      r->request_id_prefix);
  if (!r->first_error.ok()) {
    absl::PrintF("\nFirst UpdateUser error: %s\n", r->first_error.ToString().c_str());
  }
  return r->update_errors == 0 && r->not_seen == 0 ? 0 : 3;
}

int Run() {
  const std::string phase = absl::GetFlag(FLAGS_phase);
  absl::StatusOr<absl::Time> from = ParseTimeFlag("layout_from", absl::GetFlag(FLAGS_layout_from));
  absl::StatusOr<absl::Time> to = ParseTimeFlag("layout_to", absl::GetFlag(FLAGS_layout_to));
  if (!from.ok() || !to.ok()) {
    Note((from.ok() ? to.status() : from.status()).ToString());
    return 2;
  }
  absl::StatusOr<EventLayout> layout = MakeLayout(absl::GetFlag(FLAGS_events), *from, *to);
  if (!layout.ok()) {
    Note(layout.status().ToString());
    return 2;
  }
  const absl::Duration deadline = absl::GetFlag(FLAGS_deadline);
  absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> audit_channels =
      MakeChannels(absl::GetFlag(FLAGS_audit_target), std::max(1, absl::GetFlag(FLAGS_channels)),
                   absl::Seconds(10));
  if (!audit_channels.ok()) {
    Note(audit_channels.status().ToString());
    return 1;
  }
  AuditEnv env{.channels = *std::move(audit_channels), .layout = *layout, .deadline = deadline};
  if (phase == "append") return RunAppend(env);

  // Every other phase reads: a user token with audit:read (the bootstrap admin's).
  absl::StatusOr<std::string> password = config::ReadSecretFile(absl::GetFlag(FLAGS_password_file));
  absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> users_channel =
      MakeChannels(absl::GetFlag(FLAGS_users_target), 1, absl::Seconds(10));
  if (!password.ok() || !users_channel.ok()) {
    Note((password.ok() ? users_channel.status() : password.status()).ToString());
    return 1;
  }
  ScenarioEnv users{.channels = *std::move(users_channel), .deadline = deadline};
  absl::StatusOr<std::string> token = Login(users, absl::GetFlag(FLAGS_email), *password);
  if (!token.ok()) {
    Note(absl::StrCat("login failed: ", token.status().ToString()));
    return 1;
  }
  env.user_token = *token;
  users.access_token = *token;
  if (phase == "query") return RunQuery(env);
  if (phase == "verify") return RunVerify(env);
  if (phase == "relay") return RunRelay(env, users);
  Note(absl::StrCat("unknown --phase ", phase));
  return 2;
}

}  // namespace
}  // namespace backoffice::bench

int main(int argc, char** argv) {
  backoffice::config::ParseCommandLine(
      argc, argv, "Load driver of the audit service benchmark (bench/audit/run.sh runs it).");
  const int rc = backoffice::bench::Run();
  if (const std::string path = absl::GetFlag(FLAGS_cpu_file); !path.empty()) {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::ofstream(path) << absl::StrFormat("%.2f %.2f\n",
                                           usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6,
                                           usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6);
  }
  return rc;
}
