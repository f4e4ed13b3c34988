#include "libs/pg/pool.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"

namespace backoffice::pg {

PooledConnection::PooledConnection(PooledConnection&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)), conn_(std::move(other.conn_)) {}

PooledConnection& PooledConnection::operator=(PooledConnection&& other) noexcept {
  if (this != &other) {
    Release();
    pool_ = std::exchange(other.pool_, nullptr);
    conn_ = std::move(other.conn_);
  }
  return *this;
}

PooledConnection::~PooledConnection() { Release(); }

void PooledConnection::Release() {
  if (pool_ != nullptr && conn_ != nullptr) {
    pool_->Return(std::move(conn_));
  }
  pool_ = nullptr;
  conn_.reset();
}

absl::StatusOr<std::unique_ptr<Pool>> Pool::Create(PoolOptions options) {
  if (options.max_size < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("pool max_size must be at least 1, got ", options.max_size));
  }
  if (options.connection.port < 1 || options.connection.port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("PostgreSQL port must be 1-65535, got ", options.connection.port));
  }
  std::unique_ptr<Pool> pool(new Pool(std::move(options)));
  absl::StatusOr<PooledConnection> first = pool->Acquire(pool->options_.connection.connect_timeout);
  if (!first.ok()) {
    return first.status();
  }
  first->Release();
  return pool;
}

Pool::~Pool() {
  absl::MutexLock lock(&mutex_);
  idle_.clear();
}

absl::StatusOr<PooledConnection> Pool::Acquire() { return Acquire(options_.acquire_timeout); }

absl::StatusOr<PooledConnection> Pool::Acquire(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  bool waited = false;
  while (true) {
    std::optional<Idle> candidate;
    {
      absl::MutexLock lock(&mutex_);
      auto available = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
        return !idle_.empty() || open_ < options_.max_size;
      };
      if (!available()) {
        if (!waited) {
          waited = true;
          ++counters_.acquire_waits;
        }
        if (!mutex_.AwaitWithDeadline(absl::Condition(&available), deadline)) {
          ++counters_.acquire_timeouts;
          return absl::DeadlineExceededError(absl::StrCat("no PostgreSQL connection free within ",
                                                          absl::FormatDuration(timeout), ": all ",
                                                          options_.max_size, " in use"));
        }
      }
      if (!idle_.empty()) {
        candidate = std::move(idle_.back());
        idle_.pop_back();
      } else {
        ++open_;  // reserve the slot while connecting outside the lock
      }
    }

    if (candidate.has_value()) {
      if (Healthy(*candidate)) {
        return PooledConnection(this, std::move(candidate->conn));
      }
      candidate.reset();  // close outside the lock
      absl::MutexLock lock(&mutex_);
      --open_;
      ++counters_.connections_discarded;
      continue;
    }

    absl::StatusOr<Connection> conn = Connection::Open(options_.connection);
    absl::MutexLock lock(&mutex_);
    if (!conn.ok()) {
      --open_;
      return conn.status();
    }
    ++counters_.connections_opened;
    return PooledConnection(this, std::make_unique<Connection>(*std::move(conn)));
  }
}

bool Pool::Healthy(Idle& idle) {
  if (idle.conn->IdleConnectionLost()) {
    return false;
  }
  if (absl::Now() - idle.since >= options_.ping_idle_after) {
    return idle.conn->Ping(options_.ping_timeout).ok();
  }
  return true;
}

void Pool::Return(std::unique_ptr<Connection> conn) {
  // A session left mid-transaction (or mid-query) could leak its state to the next user.
  const bool keep = !conn->broken() && !conn->InTransaction();
  if (!keep) {
    conn.reset();
  }
  absl::MutexLock lock(&mutex_);
  if (keep) {
    idle_.push_back(Idle{std::move(conn), absl::Now()});
  } else {
    --open_;
    ++counters_.connections_discarded;
  }
}

absl::Status Pool::Ping(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  absl::StatusOr<PooledConnection> conn = Acquire(timeout);
  if (!conn.ok()) {
    return conn.status();
  }
  return (*conn)->Ping(std::max(deadline - absl::Now(), absl::ZeroDuration()));
}

int Pool::in_use() const {
  absl::MutexLock lock(&mutex_);
  return open_ - static_cast<int>(idle_.size());
}

int Pool::idle() const {
  absl::MutexLock lock(&mutex_);
  return static_cast<int>(idle_.size());
}

int64_t Pool::acquire_waits() const {
  absl::MutexLock lock(&mutex_);
  return counters_.acquire_waits;
}

PoolStats Pool::stats() const {
  absl::MutexLock lock(&mutex_);
  PoolStats stats = counters_;
  stats.idle = static_cast<int>(idle_.size());
  stats.in_use = open_ - stats.idle;
  stats.max_size = options_.max_size;
  return stats;
}

}  // namespace backoffice::pg
