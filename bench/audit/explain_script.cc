// Prints a psql script that EXPLAINs (ANALYZE, BUFFERS) the statements EventStore::Query runs for
// the audit benchmark's query scenarios, built by the store's own builder
// (services/audit/store/event_query.h), so the SQL cannot drift from the service's: for each
// filter the page query and the capped count (the default total), and the deep page after a
// keyset position. The filters are those of one seeded event of the model (event_model.h).
// Printed with bench/common/psql_explain.h (PREPARE, first and 7th execution).
//
//   explain_script --events=10000000 --layout_from=... --layout_to=... --sample=4242
//       --deep_after_time=2026-11-21T05:00:00.123456Z --deep_after_sequence=9900001 > explain.sql
//   psql -X -d backoffice -c 'SET search_path = audit' -f explain.sql
#include <cstdio>
#include <optional>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "bench/audit/event_model.h"
#include "bench/common/psql_explain.h"
#include "libs/config/command_line.h"
#include "services/audit/store/event_query.h"

ABSL_FLAG(int64_t, events, 0, "events seeded (the model's layout)");
ABSL_FLAG(std::string, layout_from, "", "RFC 3339: the seed's --from");
ABSL_FLAG(std::string, layout_to, "", "RFC 3339: the seed's --to");
ABSL_FLAG(int64_t, sample, 0, "seeded event whose resource, actor and action are the filters");
ABSL_FLAG(int, page_size, 50, "rows per page (the store fetches one more)");
ABSL_FLAG(std::string, deep_after_time, "",
          "event time (RFC 3339) of the row before the deep page");
ABSL_FLAG(int64_t, deep_after_sequence, 0, "sequence of the row before the deep page");

namespace backoffice::bench {
namespace {

void Explain(const std::string& name, const std::string& title, const audit::Statement& s) {
  PrintExplain(name, title, s.sql, s.params);
}

absl::StatusOr<absl::Time> ParseTimeFlag(const std::string& name, const std::string& text) {
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &time, &error)) {
    return absl::InvalidArgumentError(absl::StrCat("--", name, ": ", error));
  }
  return time;
}

int Run() {
  absl::StatusOr<absl::Time> from = ParseTimeFlag("layout_from", absl::GetFlag(FLAGS_layout_from));
  absl::StatusOr<absl::Time> to = ParseTimeFlag("layout_to", absl::GetFlag(FLAGS_layout_to));
  if (!from.ok() || !to.ok()) {
    std::fprintf(stderr, "explain_script: %s\n",
                 (from.ok() ? to.status() : from.status()).ToString().c_str());
    return 2;
  }
  absl::StatusOr<EventLayout> layout = MakeLayout(absl::GetFlag(FLAGS_events), *from, *to);
  if (!layout.ok()) {
    std::fprintf(stderr, "explain_script: %s\n", layout.status().ToString().c_str());
    return 2;
  }
  const int64_t sample =
      absl::GetFlag(FLAGS_sample) > 0 ? absl::GetFlag(FLAGS_sample) : (layout->events + 1) / 2;
  const audit::Event event = SeedEvent(sample, *layout);
  const int32_t limit = absl::GetFlag(FLAGS_page_size) + 1;  // one more: is there a next page
  const std::optional<int64_t> cap = audit::kExactCountCap + 1;

  struct Case {
    std::string name;
    std::string title;
    audit::QuerySpec spec;
  };
  std::vector<Case> cases(4);
  cases[0] = {
      "resource", absl::StrCat("resource ", event.resource_type, " ", event.resource_id), {}};
  cases[0].spec.filter.resource_type = event.resource_type;
  cases[0].spec.filter.resource_id = event.resource_id;
  cases[1] = {"actor", absl::StrCat("actor ", event.actor_id), {}};
  cases[1].spec.filter.actor_id = event.actor_id;
  cases[2] = {"action", absl::StrCat("action ", event.action), {}};
  cases[2].spec.filter.actions = {event.action};
  cases[3] = {"unfiltered", "no filter", {}};

  std::printf("\\pset pager off\n");
  for (const Case& c : cases) {
    Explain(absl::StrCat(c.name, "_page"), absl::StrCat(c.title, ": the first page"),
            audit::BuildPageQuery(c.spec, std::nullopt, limit, 0));
    Explain(absl::StrCat(c.name, "_count"),
            absl::StrCat(c.title, ": the default total, counted up to 10,001 rows"),
            audit::BuildCountQuery(c.spec, cap));
  }
  const std::string after_time = absl::GetFlag(FLAGS_deep_after_time);
  if (!after_time.empty()) {
    absl::StatusOr<absl::Time> time = ParseTimeFlag("deep_after_time", after_time);
    if (!time.ok()) {
      std::fprintf(stderr, "explain_script: %s\n", time.status().ToString().c_str());
      return 2;
    }
    Explain("deep_page", "no filter: the deep page after the keyset position (by token)",
            audit::BuildPageQuery(
                cases[3].spec,
                audit::PagePosition{.event_time = *time,
                                    .sequence = absl::GetFlag(FLAGS_deep_after_sequence)},
                limit, 0));
  }
  return 0;
}

}  // namespace
}  // namespace backoffice::bench

int main(int argc, char** argv) {
  backoffice::config::ParseCommandLine(
      argc, argv,
      "Prints a psql script that EXPLAINs the QueryEvents statements of the benchmark.");
  return backoffice::bench::Run();
}
