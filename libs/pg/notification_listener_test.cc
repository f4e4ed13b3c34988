#include "libs/pg/notification_listener.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "libs/pg/connection.h"
#include "libs/testing/eventually.h"
#include "libs/testing/pg_server.h"

namespace backoffice::pg {
namespace {

using testing::Eventually;

// Records what the listener reports, as "listening", "lost" or "payload:<payload>".
class Recorder final : public NotificationHandler {
 public:
  void OnListening() override { Add("listening"); }
  void OnNotification(std::string_view payload) override { Add("payload:" + std::string(payload)); }
  void OnLost() override { Add("lost"); }

  std::vector<std::string> heard() const {
    absl::MutexLock lock(&mutex_);
    return heard_;
  }

 private:
  void Add(std::string event) {
    absl::MutexLock lock(&mutex_);
    heard_.push_back(std::move(event));
  }

  mutable absl::Mutex mutex_;
  std::vector<std::string> heard_ ABSL_GUARDED_BY(mutex_);
};

struct Fixture {
  Fixture() {
    absl::StatusOr<testing::TestDatabase> db = testing::PgServer::Shared().CreateDatabase();
    REQUIRE(db.ok());
    options = db->options();
    absl::StatusOr<Connection> opened = Connection::Open(options);
    REQUIRE(opened.ok());
    conn.emplace(*std::move(opened));
  }

  void Run(const std::string& sql) {
    absl::Status s = conn->ExecuteScript(sql);
    INFO(sql << " -> " << s.ToString());
    REQUIRE(s.ok());
  }

  ConnectionOptions options;
  std::optional<Connection> conn;
};

TEST_CASE("committed notifications on the channel reach the handler in order; others do not") {
  Fixture f;
  Recorder recorder;
  // A channel name that needs quoting as an identifier.
  NotificationListener listener(f.options, "Mixed Case", recorder);
  listener.Start();
  REQUIRE(Eventually([&] { return listener.listening(); }));

  f.Run("SELECT pg_notify('Mixed Case', 'a'); SELECT pg_notify('other', 'x')");
  f.Run("BEGIN; SELECT pg_notify('Mixed Case', 'rolled back'); ROLLBACK");
  f.Run("BEGIN; SELECT pg_notify('Mixed Case', 'b'); SELECT pg_notify('Mixed Case', ''); COMMIT");
  REQUIRE(Eventually([&] { return listener.notifications() >= 3; }));
  listener.Stop();
  CHECK_FALSE(listener.listening());
  CHECK(recorder.heard() ==
        std::vector<std::string>{"listening", "payload:a", "payload:b", "payload:"});
}

TEST_CASE("after its session is terminated the listener reports the loss, reconnects, listens") {
  Fixture f;
  Recorder recorder;
  NotificationListener listener(f.options, "changes", recorder,
                                {.reconnect_delay = absl::Milliseconds(20)});
  listener.Start();
  REQUIRE(Eventually([&] { return listener.listening(); }));
  f.Run(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
      "WHERE query LIKE 'LISTEN%' AND datname = current_database()");
  REQUIRE(Eventually([&] { return listener.connects() >= 2 && listener.listening(); }));
  f.Run("SELECT pg_notify('changes', 'after')");
  REQUIRE(Eventually([&] { return listener.notifications() >= 1; }));
  listener.Stop();
  CHECK(recorder.heard() ==
        std::vector<std::string>{"listening", "lost", "listening", "payload:after"});
}

TEST_CASE("without a server the listener keeps reporting the loss until stopped") {
  Fixture f;
  Recorder recorder;
  ConnectionOptions nowhere = f.options;
  nowhere.dbname = "no_such_database";
  NotificationListener listener(
      nowhere, "changes", recorder,
      {.reconnect_delay = absl::Milliseconds(1), .max_reconnect_delay = absl::Milliseconds(5)});
  listener.Start();
  REQUIRE(Eventually([&] { return recorder.heard().size() >= 2; }));
  listener.Stop();
  CHECK_FALSE(listener.listening());
  CHECK(listener.connects() == 0);
  for (const std::string& event : recorder.heard()) CHECK(event == "lost");
}

}  // namespace
}  // namespace backoffice::pg
