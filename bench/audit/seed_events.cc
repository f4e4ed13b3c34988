// Seeds the audit log of the audit benchmark with a valid hash chain, fast: events 1..N of the
// synthetic model (event_model.h) are hashed here with the audit store's own canonical encoding
// (services/audit/store/canonical_event.h: CanonicalEventBytes, ChainHash, the content digest)
// and streamed into audit.events and audit.event_ids by two COPYs running in parallel on two
// connections. The events' transaction holds the chain head's row lock (as every append does)
// from before the first row until the head is moved to the last seeded event, so nothing can
// append in between; the chain continues from whatever head it finds. VerifyChain afterwards
// proves the result is what the service itself would have stored.
//
//   seed_events --conninfo='host=127.0.0.1 port=5432 dbname=backoffice user=postgres'
//       --events=10000000 --from=2026-11-01T00:00:00Z --to=2026-11-22T07:00:00Z
#include <postgresql/libpq-fe.h>

#include <cstdio>
#include <cstdlib>
#include <future>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/audit/event_model.h"
#include "libs/config/command_line.h"
#include "libs/pg/copy_text.h"
#include "services/audit/store/canonical_event.h"

ABSL_FLAG(std::string, conninfo, "", "libpq connection string of the benchmark database");
ABSL_FLAG(int64_t, events, 1'000'000, "events to seed");
ABSL_FLAG(std::string, from, "", "RFC 3339: event_time of the first event (start of the window)");
ABSL_FLAG(std::string, to, "", "RFC 3339: end of the window (past every ingest_time)");

namespace backoffice::bench {
namespace {

void Note(const std::string& text) { std::fprintf(stderr, "seed_events: %s\n", text.c_str()); }

using ConnPtr = std::unique_ptr<PGconn, decltype(&PQfinish)>;

absl::StatusOr<ConnPtr> Connect(const std::string& conninfo) {
  ConnPtr conn(PQconnectdb(conninfo.c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    return absl::UnavailableError(absl::StrCat("connect: ", PQerrorMessage(conn.get())));
  }
  return conn;
}

// Runs `sql`; returns the first row's columns as text when it returns rows.
absl::StatusOr<std::vector<std::string>> Exec(PGconn* conn, const std::string& sql) {
  std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn, sql.c_str()), &PQclear);
  const ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_COPY_IN) {
    return absl::InternalError(absl::StrCat(sql.substr(0, 60), ": ", PQerrorMessage(conn)));
  }
  std::vector<std::string> row;
  if (status == PGRES_TUPLES_OK && PQntuples(result.get()) > 0) {
    for (int c = 0; c < PQnfields(result.get()); ++c)
      row.emplace_back(PQgetvalue(result.get(), 0, c));
  }
  return row;
}

// A nullable JSON column of a COPY text row.
void AppendJson(std::string& out, const std::optional<std::string>& json) {
  if (json.has_value()) {
    pg::AppendCopyText(out, *json);
  } else {
    pg::AppendCopyNull(out);
  }
}

// Buffers COPY rows and sends them in chunks of about 1 MiB.
class CopyStream {
 public:
  explicit CopyStream(PGconn* conn) : conn_(conn) { buffer_.reserve(kChunk + 4096); }

  absl::Status Row(std::string_view row) {
    buffer_.append(row);
    return buffer_.size() >= kChunk ? Flush() : absl::OkStatus();
  }

  absl::Status End() {
    if (absl::Status s = Flush(); !s.ok()) return s;
    if (PQputCopyEnd(conn_, nullptr) != 1) {
      return absl::InternalError(absl::StrCat("COPY end: ", PQerrorMessage(conn_)));
    }
    std::unique_ptr<PGresult, decltype(&PQclear)> result(PQgetResult(conn_), &PQclear);
    if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
      return absl::InternalError(absl::StrCat("COPY: ", PQerrorMessage(conn_)));
    }
    while (PGresult* rest = PQgetResult(conn_)) PQclear(rest);
    return absl::OkStatus();
  }

 private:
  static constexpr size_t kChunk = 1 << 20;

  absl::Status Flush() {
    if (buffer_.empty()) return absl::OkStatus();
    if (PQputCopyData(conn_, buffer_.data(), static_cast<int>(buffer_.size())) != 1) {
      return absl::InternalError(absl::StrCat("COPY data: ", PQerrorMessage(conn_)));
    }
    buffer_.clear();
    return absl::OkStatus();
  }

  PGconn* conn_;
  std::string buffer_;
};

constexpr char kCopyEvents[] =
    "COPY audit.events (sequence, id, event_time, ingest_time, actor_type, actor_id, "
    "actor_display_name, client_ip, user_agent, on_behalf_of_id, action, resource_type, "
    "resource_id, service, request_id, trace_id, outcome, message, before, after, metadata, "
    "prev_hash, hash) FROM STDIN";
constexpr char kCopyEventIds[] =
    "COPY audit.event_ids (id, sequence, ingest_time, content_digest) FROM STDIN";

// The events: chain hashes from the locked head on; moves the head; commits after `ids_done`.
absl::Status SeedEvents(PGconn* conn, const EventLayout& layout,
                        std::promise<int64_t>& head_sequence, std::future<absl::Status> ids_done) {
  auto fail = [&](absl::Status s) {
    head_sequence.set_value(-1);
    return s;
  };
  if (auto r = Exec(conn, "BEGIN"); !r.ok()) return fail(r.status());
  absl::StatusOr<std::vector<std::string>> head =
      Exec(conn, "SELECT sequence, hash FROM audit.chain_head FOR UPDATE");
  if (!head.ok()) return fail(head.status());
  if (head->size() != 2) return fail(absl::InternalError("audit.chain_head has no row"));
  const int64_t base = std::stoll((*head)[0]);
  std::string prev_hash = (*head)[1];
  head_sequence.set_value(base);
  Note(absl::StrCat("chain head before the seed: sequence ", base));

  if (auto r = Exec(conn, kCopyEvents); !r.ok()) return r.status();
  CopyStream copy(conn);
  std::string row;
  const absl::Time started = absl::Now();
  for (int64_t i = 1; i <= layout.events; ++i) {
    audit::Event e = SeedEvent(i, layout);
    e.sequence = base + i;
    e.ingest_time = SeedIngestTime(i, layout);
    e.prev_hash = prev_hash;
    absl::StatusOr<std::string> hash = audit::ChainHash(prev_hash, audit::CanonicalEventBytes(e));
    if (!hash.ok()) return hash.status();
    e.hash = *hash;
    row.clear();
    absl::StrAppend(&row, e.sequence, "\t", e.id, "\t", audit::CanonicalTime(e.event_time), "\t",
                    audit::CanonicalTime(e.ingest_time), "\t");
    for (const std::string* text :
         {&e.actor_type, &e.actor_id, &e.actor_display_name, &e.client_ip, &e.user_agent,
          &e.on_behalf_of_id, &e.action, &e.resource_type, &e.resource_id, &e.service,
          &e.request_id, &e.trace_id, &e.outcome, &e.message}) {
      pg::AppendCopyText(row, *text);
      row += '\t';
    }
    AppendJson(row, e.before);
    row += '\t';
    AppendJson(row, e.after);
    row += '\t';
    AppendJson(row, e.metadata);
    absl::StrAppend(&row, "\t", e.prev_hash, "\t", e.hash, "\n");
    if (absl::Status s = copy.Row(row); !s.ok()) return s;
    prev_hash = std::move(e.hash);
    if (i % 1'000'000 == 0) {
      Note(absl::StrFormat("events: %d rows sent, %.0f rows/s", i,
                           static_cast<double>(i) / absl::ToDoubleSeconds(absl::Now() - started)));
    }
  }
  if (absl::Status s = copy.End(); !s.ok()) return s;
  if (absl::Status s = ids_done.get(); !s.ok()) return s;
  if (auto r = Exec(conn, absl::StrCat("UPDATE audit.chain_head SET sequence = ",
                                       base + layout.events, ", hash = '", prev_hash, "'"));
      !r.ok()) {
    return r.status();
  }
  if (auto r = Exec(conn, "COMMIT"); !r.ok()) return r.status();
  Note(absl::StrCat("chain head after the seed: sequence ", base + layout.events, ", hash ",
                    prev_hash));
  return absl::OkStatus();
}

// The dedup gate rows: the content digest of each event (no chain needed, so in parallel).
absl::Status SeedEventIds(PGconn* conn, const EventLayout& layout, int64_t base) {
  if (auto r = Exec(conn, "BEGIN"); !r.ok()) return r.status();
  if (auto r = Exec(conn, kCopyEventIds); !r.ok()) return r.status();
  CopyStream copy(conn);
  std::string row;
  for (int64_t i = 1; i <= layout.events; ++i) {
    const audit::Event e = SeedEvent(i, layout);
    row.clear();
    absl::StrAppend(&row, e.id, "\t", base + i, "\t",
                    audit::CanonicalTime(SeedIngestTime(i, layout)), "\t",
                    audit::Sha256Hex(audit::CanonicalContentBytes(e)), "\n");
    if (absl::Status s = copy.Row(row); !s.ok()) return s;
  }
  if (absl::Status s = copy.End(); !s.ok()) return s;
  if (auto r = Exec(conn, "COMMIT"); !r.ok()) return r.status();
  return absl::OkStatus();
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
  absl::StatusOr<absl::Time> from = ParseTimeFlag("from", absl::GetFlag(FLAGS_from));
  absl::StatusOr<absl::Time> to = ParseTimeFlag("to", absl::GetFlag(FLAGS_to));
  if (!from.ok() || !to.ok()) {
    Note((from.ok() ? to.status() : from.status()).ToString());
    return 2;
  }
  absl::StatusOr<EventLayout> layout = MakeLayout(absl::GetFlag(FLAGS_events), *from, *to);
  if (!layout.ok()) {
    Note(layout.status().ToString());
    return 2;
  }
  absl::StatusOr<ConnPtr> events_conn = Connect(absl::GetFlag(FLAGS_conninfo));
  absl::StatusOr<ConnPtr> ids_conn = Connect(absl::GetFlag(FLAGS_conninfo));
  if (!events_conn.ok() || !ids_conn.ok()) {
    Note((events_conn.ok() ? ids_conn.status() : events_conn.status()).ToString());
    return 1;
  }
  const absl::Time started = absl::Now();
  std::promise<int64_t> head;
  std::future<int64_t> head_known = head.get_future();
  std::promise<absl::Status> ids_result;
  std::thread ids_thread([&] {
    const int64_t base = head_known.get();
    ids_result.set_value(base < 0 ? absl::CancelledError("the events' side failed")
                                  : SeedEventIds(ids_conn->get(), *layout, base));
  });
  absl::Status status = SeedEvents(events_conn->get(), *layout, head, ids_result.get_future());
  if (!status.ok()) {
    Note(status.ToString());
    std::_Exit(1);  // the other COPY may still be streaming; the run is lost either way
  }
  ids_thread.join();
  const double seconds = absl::ToDoubleSeconds(absl::Now() - started);
  Note(absl::StrFormat("seeded %d events in %.1f s (%.0f events/s)", layout->events, seconds,
                       static_cast<double>(layout->events) / seconds));
  std::printf("%.1f\n", seconds);
  return 0;
}

}  // namespace
}  // namespace backoffice::bench

int main(int argc, char** argv) {
  backoffice::config::ParseCommandLine(
      argc, argv, "Seeds the audit benchmark's hash-chained events by COPY (bench/audit/run.sh).");
  return backoffice::bench::Run();
}
