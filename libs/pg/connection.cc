#include "libs/pg/connection.h"

#include <poll.h>
#include <postgresql/libpq-fe.h>

#include <cerrno>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/pg/absl_compat.h"
#include "libs/pg/error.h"

namespace backoffice::pg {
namespace {

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

bool Succeeded(const PGresult* result) {
  if (result == nullptr) {
    return false;
  }
  ExecStatusType status = PQresultStatus(result);
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY;
}

// Notices ("schema already exists, skipping") are not errors; libpq would print them to stderr.
void IgnoreNotice(void*, const char*) {}

std::string FirstLine(const char* text) {
  absl::string_view view = absl::StripAsciiWhitespace(text != nullptr ? text : "");
  return std::string(absl::StripAsciiWhitespace(view.substr(0, view.find('\n'))));
}

}  // namespace

void Connection::Close::operator()(pg_conn* conn) const { PQfinish(conn); }

absl::StatusOr<Connection> Connection::Open(const ConnectionOptions& options) {
  const std::vector<std::pair<std::string, std::string>> keywords = ToLibpqKeywords(options);
  std::vector<const char*> keys;
  std::vector<const char*> values;
  for (const auto& [key, value] : keywords) {
    keys.push_back(key.c_str());
    values.push_back(value.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  std::unique_ptr<pg_conn, Close> conn(
      PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/0));
  if (conn == nullptr) {
    return absl::ResourceExhaustedError(absl::StrCat("cannot connect to PostgreSQL at ",
                                                     DescribeTarget(options), ": out of memory"));
  }
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    return absl::UnavailableError(absl::StrCat("cannot connect to PostgreSQL at ",
                                               DescribeTarget(options), ": ",
                                               FirstLine(PQerrorMessage(conn.get()))));
  }
  PQsetNoticeProcessor(conn.get(), &IgnoreNotice, nullptr);
  return Connection(std::move(conn), options);
}

Connection::Connection(std::unique_ptr<pg_conn, Close> conn, ConnectionOptions options)
    : conn_(std::move(conn)), options_(std::move(options)) {}

Connection::Connection(Connection&& other) noexcept = default;
Connection& Connection::operator=(Connection&& other) noexcept = default;
Connection::~Connection() = default;

bool Connection::broken() const {
  return conn_ == nullptr || PQstatus(conn_.get()) != CONNECTION_OK;
}

bool Connection::InTransaction() const {
  return conn_ != nullptr && PQtransactionStatus(conn_.get()) != PQTRANS_IDLE;
}

absl::StatusOr<std::string> Connection::Prepare(const std::string& key, std::string_view sql,
                                                const std::vector<unsigned>& types) {
  if (auto it = statements_.find(key); it != statements_.end()) {
    return it->second;
  }
  std::string name = absl::StrCat("bo_", next_statement_++);
  const std::string text(sql);
  ResultPtr result(PQprepare(conn_.get(), name.c_str(), text.c_str(),
                             static_cast<int>(types.size()), types.data()));
  if (!Succeeded(result.get())) {
    return StatusFromPgError(result.get(), conn_.get(), "prepare failed");
  }
  statements_.emplace(key, name);
  return name;
}

absl::StatusOr<Result> Connection::Execute(std::string_view sql, const Params& params) {
  if (conn_ == nullptr) {
    return absl::UnavailableError("connection is closed");
  }
  std::string key(sql);
  key.push_back('\0');
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
  std::vector<Oid> types;
  for (const Param& param : params) {
    absl::StrAppend(&key, param.oid(), param.is_binary() ? "b," : ",");
    values.push_back(param.is_null() ? nullptr : param.value().data());
    lengths.push_back(static_cast<int>(param.value().size()));
    formats.push_back(param.is_binary() ? 1 : 0);
    types.push_back(param.oid());
  }
  ResultPtr result;
  if (!statements_.contains(key) && prepared_statements() >= kMaxPreparedStatements) {
    result.reset(PQexecParams(conn_.get(), std::string(sql).c_str(), params.size(), types.data(),
                              values.data(), lengths.data(), formats.data(), /*resultFormat=*/0));
  } else {
    absl::StatusOr<std::string> name = Prepare(key, sql, types);
    if (!name.ok()) {
      return name.status();
    }
    result.reset(PQexecPrepared(conn_.get(), name->c_str(), params.size(), values.data(),
                                lengths.data(), formats.data(), /*resultFormat=*/0));
  }
  if (!Succeeded(result.get())) {
    absl::Status status = StatusFromPgError(result.get(), conn_.get(), "query failed");
    // The statement is unusable after its result shape changed (0A000) or if the session lost it
    // (26000, e.g. DISCARD ALL): prepare it again next time.
    const std::string_view code = SqlState(status);
    if (code == "0A000" || code == "26000") {
      statements_.erase(key);
    }
    return status;
  }
  return Result(result.release());
}

absl::Status Connection::ExecuteScript(std::string_view sql) {
  if (conn_ == nullptr) {
    return absl::UnavailableError("connection is closed");
  }
  const std::string text(sql);
  ResultPtr result(PQexec(conn_.get(), text.c_str()));
  if (!Succeeded(result.get())) {
    return StatusFromPgError(result.get(), conn_.get(), "statement failed");
  }
  return absl::OkStatus();
}

absl::Status Connection::Ping(absl::Duration timeout) {
  if (conn_ == nullptr) {
    return absl::UnavailableError("connection is closed");
  }
  const absl::Time deadline = absl::Now() + timeout;
  if (PQsendQuery(conn_.get(), "") != 1) {
    return StatusFromPgError(nullptr, conn_.get(), "ping failed");
  }
  while (PQisBusy(conn_.get()) != 0) {
    const absl::Duration remaining = deadline - absl::Now();
    const int wait_ms = static_cast<int>(absl::ToInt64Milliseconds(remaining));
    pollfd fd{PQsocket(conn_.get()), POLLIN, 0};
    int ready = remaining > absl::ZeroDuration() ? poll(&fd, 1, wait_ms) : 0;
    if (ready == 0) {
      conn_.reset();  // a half-read response leaves the session unusable
      return absl::DeadlineExceededError(
          absl::StrCat("ping: no answer from PostgreSQL within ", absl::FormatDuration(timeout)));
    }
    if (ready < 0 && errno != EINTR) {
      conn_.reset();
      return absl::UnavailableError("ping: poll failed");
    }
    if (PQconsumeInput(conn_.get()) != 1) {
      return StatusFromPgError(nullptr, conn_.get(), "ping failed");
    }
  }
  absl::Status status = absl::OkStatus();
  while (PGresult* raw = PQgetResult(conn_.get())) {
    ResultPtr result(raw);
    if (!Succeeded(result.get()) && status.ok()) {
      status = StatusFromPgError(result.get(), conn_.get(), "ping failed");
    }
  }
  if (status.ok() && broken()) {
    status = StatusFromPgError(nullptr, conn_.get(), "ping failed");
  }
  return status;
}

bool Connection::IdleConnectionLost() {
  // Anything readable on an idle session is the server's "terminating connection" notice, a
  // notification, or EOF. Read until nothing is left, so an EOF behind a notice is seen too.
  for (int reads = 0; reads < 16; ++reads) {
    if (broken()) {
      return true;
    }
    pollfd fd{PQsocket(conn_.get()), POLLIN, 0};
    const int ready = poll(&fd, 1, 0);
    if (ready == 0) {
      return false;
    }
    if (ready < 0 || (fd.revents & (POLLERR | POLLNVAL)) != 0) {
      return true;
    }
    if (PQconsumeInput(conn_.get()) != 1) {
      return true;
    }
    while (PGnotify* notify = PQnotifies(conn_.get())) {
      PQfreemem(notify);
    }
  }
  return broken();
}

}  // namespace backoffice::pg
