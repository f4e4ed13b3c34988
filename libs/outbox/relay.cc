#include "libs/outbox/relay.h"

#include <fcntl.h>
#include <postgresql/libpq-fe.h>
#include <sys/select.h>
#include <unistd.h>

#include <algorithm>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/log/log.h"
#include "libs/metrics/metrics.h"
#include "libs/outbox/outbox.h"
#include "libs/outbox/queries.h"
#include "libs/pg/connection.h"
#include "libs/pg/transaction.h"

namespace backoffice::outbox {
namespace {

constexpr int kPruneRowsPerStatement = 1000;

std::string PositionsArray(const std::vector<int64_t>& positions) {
  return absl::StrCat("{", absl::StrJoin(positions, ","), "}");
}

absl::StatusOr<OutboxRow> RowFromResult(const pg::Row& row) {
  OutboxRow out;
  absl::StatusOr<int64_t> position = row.Get<int64_t>("position");
  if (!position.ok()) return position.status();
  out.position = *position;
  for (auto [column, field] :
       {std::pair{"id", &out.id}, std::pair{"aggregate_type", &out.aggregate_type},
        std::pair{"aggregate_id", &out.aggregate_id}, std::pair{"event_type", &out.event_type},
        std::pair{"actor_type", &out.actor_type}, std::pair{"actor_id", &out.actor_id},
        std::pair{"request_id", &out.request_id}, std::pair{"trace_id", &out.trace_id},
        std::pair{"metadata", &out.metadata}}) {
    absl::StatusOr<std::string> value = row.Get<std::string>(column);
    if (!value.ok()) return value.status();
    *field = *std::move(value);
  }
  for (auto [column, field] : {std::pair{"before", &out.before}, std::pair{"after", &out.after}}) {
    absl::StatusOr<std::optional<std::string>> value = row.Get<std::optional<std::string>>(column);
    if (!value.ok()) return value.status();
    *field = *std::move(value);
  }
  absl::StatusOr<absl::Time> occurred = row.Get<absl::Time>("occurred_at");
  if (!occurred.ok()) return occurred.status();
  out.occurred_at = *occurred;
  return out;
}

}  // namespace

Relay::Relay(pg::Pool& pool, EventSink& sink, RelayOptions options)
    : pool_(pool), sink_(sink), options_(std::move(options)) {
  if (pipe(wake_pipe_) == 0) {
    fcntl(wake_pipe_[0], F_SETFL, O_NONBLOCK);
    fcntl(wake_pipe_[1], F_SETFL, O_NONBLOCK);
  }
  if (options_.registry != nullptr) {
    metrics::Registry& r = *options_.registry;
    pending_gauge_ =
        &r.Gauge("outbox_pending_events", "Outbox events not delivered yet.", {"schema"})
             .WithLabels({options_.schema});
    age_gauge_ = &r.Gauge("outbox_oldest_pending_age_seconds",
                          "Age of the oldest undelivered outbox event (0 when none).", {"schema"})
                      .WithLabels({options_.schema});
    delivered_counter_ = &r.Counter("outbox_delivered_events_total",
                                    "Outbox events acknowledged by the consumer.", {"schema"})
                              .WithLabels({options_.schema});
    failure_counter_ = &r.Counter("outbox_delivery_failures_total",
                                  "Outbox batches whose delivery failed (retried).", {"schema"})
                            .WithLabels({options_.schema});
    rejected_counter_ =
        &r.Counter("outbox_rejected_events_total",
                   "Outbox events the consumer refused for good (parked).", {"schema"})
             .WithLabels({options_.schema});
  }
}

Relay::~Relay() {
  Stop();
  for (int fd : wake_pipe_) {
    if (fd >= 0) close(fd);
  }
}

void Relay::Start() {
  {
    absl::MutexLock lock(&mutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { Loop(); });
}

void Relay::Stop() {
  {
    absl::MutexLock lock(&mutex_);
    stopping_ = true;
  }
  char byte = 1;
  [[maybe_unused]] ssize_t written = write(wake_pipe_[1], &byte, 1);
  if (thread_.joinable()) thread_.join();
}

bool Relay::Stopping() {
  absl::MutexLock lock(&mutex_);
  return stopping_;
}

absl::StatusOr<int> Relay::DeliverBatch() {
  absl::StatusOr<pg::PooledConnection> conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  absl::StatusOr<pg::Transaction> tx = pg::Transaction::Begin(**conn);
  if (!tx.ok()) return tx.status();
  absl::StatusOr<pg::Result> claimed =
      tx->Execute(sql::kClaimPending, {int32_t{std::clamp(options_.batch_size, 1, 500)}});
  if (!claimed.ok()) return claimed.status();
  std::vector<OutboxRow> rows;
  for (const pg::Row& row : *claimed) {
    absl::StatusOr<OutboxRow> parsed = RowFromResult(row);
    if (!parsed.ok()) return parsed.status();
    rows.push_back(*std::move(parsed));
  }
  if (rows.empty()) {
    if (absl::Status s = tx->Commit(); !s.ok()) return s;
    return 0;
  }

  // The rows stay locked while the consumer works, so no other relay sends them meanwhile.
  absl::StatusOr<std::vector<DeliveryResult>> results = sink_.Deliver(rows);
  if (results.ok() && results->size() != rows.size()) {
    results = absl::InternalError("sink returned the wrong number of results");
  }
  if (!results.ok()) {
    std::vector<int64_t> positions;
    for (const OutboxRow& row : rows) positions.push_back(row.position);
    std::string error(results.status().ToString().substr(0, 500));
    if (absl::StatusOr<pg::Result> r =
            tx->Execute(sql::kMarkFailed, {PositionsArray(positions), error});
        r.ok()) {
      tx->Commit().IgnoreError();
    }
    failures_.fetch_add(1);
    if (failure_counter_ != nullptr) failure_counter_->Increment();
    return results.status();
  }

  std::vector<int64_t> delivered;
  int rejected = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const DeliveryResult& result = (*results)[i];
    switch (result.kind) {
      case DeliveryResult::Kind::kDelivered:
        delivered.push_back(rows[i].position);
        break;
      case DeliveryResult::Kind::kDeliveredWithRemark: {
        absl::StatusOr<pg::Result> r =
            tx->Execute(sql::kMarkDelivered,
                        {PositionsArray({rows[i].position}), result.remark.substr(0, 500)});
        if (!r.ok()) return r.status();
        log::Warn(
            "outbox event delivered with a remark",
            {{"schema", options_.schema}, {"event_id", rows[i].id}, {"remark", result.remark}});
        break;
      }
      case DeliveryResult::Kind::kRejected: {
        absl::StatusOr<pg::Result> r =
            tx->Execute(sql::kParkEvent, {rows[i].position, result.remark.substr(0, 500)});
        if (!r.ok()) return r.status();
        log::Error(
            "outbox event refused by the consumer; parked",
            {{"schema", options_.schema}, {"event_id", rows[i].id}, {"reason", result.remark}});
        ++rejected;
        break;
      }
    }
  }
  if (!delivered.empty()) {
    absl::StatusOr<pg::Result> r =
        tx->Execute(sql::kMarkDelivered, {PositionsArray(delivered), std::nullopt});
    if (!r.ok()) return r.status();
  }
  if (absl::Status s = tx->Commit(); !s.ok()) return s;
  if (delivered_counter_ != nullptr) {
    delivered_counter_->Increment(static_cast<double>(rows.size() - rejected));
  }
  if (rejected_counter_ != nullptr && rejected > 0) rejected_counter_->Increment(rejected);
  return static_cast<int>(rows.size());
}

absl::StatusOr<int64_t> Relay::Prune(absl::Time now) {
  absl::StatusOr<pg::PooledConnection> conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  int64_t total = 0;
  while (true) {
    absl::StatusOr<pg::Result> deleted = (*conn)->Execute(
        sql::kPruneDelivered, {now - options_.retention, int32_t{kPruneRowsPerStatement}});
    if (!deleted.ok()) return deleted.status();
    total += deleted->affected_rows();
    if (deleted->affected_rows() < kPruneRowsPerStatement) return total;
  }
}

absl::StatusOr<Relay::Lag> Relay::RefreshLag() {
  absl::StatusOr<pg::PooledConnection> conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  absl::StatusOr<pg::Result> rows = (*conn)->Execute(sql::kOutboxLag);
  if (!rows.ok()) return rows.status();
  absl::StatusOr<int64_t> pending = (*rows)[0].Get<int64_t>("pending");
  absl::StatusOr<double> age = (*rows)[0].Get<double>("oldest_age_seconds");
  if (!pending.ok()) return pending.status();
  if (!age.ok()) return age.status();
  if (pending_gauge_ != nullptr) pending_gauge_->Set(static_cast<double>(*pending));
  if (age_gauge_ != nullptr) age_gauge_->Set(*age);
  return Lag{.pending = *pending, .oldest_age_seconds = *age};
}

// The dedicated LISTEN session (outside the pool: it must stay open between waits).
class RelayListener {
 public:
  RelayListener(const pg::ConnectionOptions& options, std::string channel)
      : options_(options), channel_(std::move(channel)) {}

  // Connects and LISTENs if not connected; false if that failed (the relay then only polls).
  bool EnsureConnected() {
    if (conn_.has_value() && !conn_->broken()) return true;
    conn_.reset();
    absl::StatusOr<pg::Connection> conn = pg::Connection::Open(options_);
    if (!conn.ok()) return false;
    if (!conn->ExecuteScript(absl::StrCat("LISTEN ", channel_)).ok()) return false;
    conn_.emplace(*std::move(conn));
    return true;
  }

  int socket() const { return conn_.has_value() ? PQsocket(conn_->native()) : -1; }

  // Reads what arrived; true if a notification was among it. Drops the session on error.
  bool Drain() {
    if (!conn_.has_value()) return false;
    if (PQconsumeInput(conn_->native()) != 1) {
      conn_.reset();
      return false;
    }
    bool notified = false;
    while (PGnotify* notify = PQnotifies(conn_->native())) {
      notified = true;
      PQfreemem(notify);
    }
    return notified;
  }

 private:
  pg::ConnectionOptions options_;
  std::string channel_;
  std::optional<pg::Connection> conn_;
};

namespace {

// Full jitter in [delay/2, delay].
absl::Duration Jitter(absl::Duration delay, std::mt19937_64& random) {
  std::uniform_real_distribution<double> factor(0.5, 1.0);
  return delay * factor(random);
}

}  // namespace

void Relay::Wait(RelayListener& listener, absl::Duration timeout, bool wake_on_notify) {
  absl::Time deadline = absl::Now() + timeout;
  while (!Stopping()) {
    absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return;
    fd_set readable;
    FD_ZERO(&readable);
    FD_SET(wake_pipe_[0], &readable);
    int max_fd = wake_pipe_[0];
    int socket = listener.socket();
    if (socket >= 0) {
      FD_SET(socket, &readable);
      max_fd = std::max(max_fd, socket);
    }
    timeval tv = absl::ToTimeval(left);
    int ready = select(max_fd + 1, &readable, nullptr, nullptr, &tv);
    if (ready <= 0) continue;
    if (FD_ISSET(wake_pipe_[0], &readable)) {
      char buffer[16];
      while (read(wake_pipe_[0], buffer, sizeof(buffer)) > 0) {
      }
    }
    if (socket >= 0 && FD_ISSET(socket, &readable)) {
      bool notified = listener.Drain();
      if (listener.socket() < 0) return;  // the session was lost: poll now, reconnect
      if (notified && wake_on_notify) return;
    }
  }
}

void Relay::Loop() {
  RelayListener listener(pool_.options().connection, OutboxChannel(options_.schema));
  std::mt19937_64 random(std::random_device{}());
  absl::Duration backoff = absl::ZeroDuration();
  absl::Time next_prune = absl::Now();
  while (!Stopping()) {
    listener.EnsureConnected();  // before the claim, so no commit after it goes unheard
    absl::StatusOr<int> claimed = DeliverBatch();
    if (!claimed.ok()) {
      backoff = backoff == absl::ZeroDuration() ? options_.initial_backoff
                                                : std::min(backoff * 2, options_.max_backoff);
      log::Warn("outbox delivery failed; retrying",
                {{"schema", options_.schema},
                 {"error", std::string(claimed.status().message())},
                 {"retry_in_ms", absl::StrCat(absl::ToInt64Milliseconds(backoff))}});
      RefreshLag().IgnoreError();
      Wait(listener, Jitter(backoff, random), /*wake_on_notify=*/false);
      continue;
    }
    backoff = absl::ZeroDuration();
    if (*claimed >= options_.batch_size) continue;  // more may be pending: no wait
    RefreshLag().IgnoreError();
    if (absl::Now() >= next_prune) {
      if (absl::StatusOr<int64_t> pruned = Prune(absl::Now()); pruned.ok() && *pruned > 0) {
        log::Info("outbox pruned",
                  {{"schema", options_.schema}, {"events", absl::StrCat(*pruned)}});
      }
      next_prune = absl::Now() + options_.prune_interval;
    }
    Wait(listener, options_.poll_interval, /*wake_on_notify=*/true);
  }
}

}  // namespace backoffice::outbox
