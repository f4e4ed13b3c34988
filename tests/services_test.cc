// Starts each real service binary against a real PostgreSQL and checks what every service must do
// before its domain work lands: migrate its schema, serve gRPC health and reflection, answer
// domain calls (UNIMPLEMENTED until implemented; UNAUTHENTICATED without a token after), expose
// /metrics, /healthz and /readyz, stop cleanly on SIGTERM, and fail at start with one clear line
// when its configuration is wrong.
#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>
#include <signal.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "libs/pg/pool.h"
#include "libs/server/test_http_client.h"
#include "libs/testing/pg_server.h"
#include "services/users/migrations.h"
#include "tests/support/child_process.h"
#include "tests/support/service_process.h"
#include "third_party/grpc_health/health.grpc.pb.h"

namespace backoffice::tests {
namespace {

struct ServiceUnderTest {
  std::string name;
  std::string binary;       // runfiles path
  std::string some_method;  // a domain method called with an empty request and no token
  // What some_method answers: UNIMPLEMENTED until the service implements it, then
  // UNAUTHENTICATED (no token).
  grpc::StatusCode expected_code = grpc::StatusCode::UNIMPLEMENTED;
  std::string expected_code_name = "UNIMPLEMENTED";
  // Flags the service needs beyond the database's (users: the key sealing its signing keys).
  std::vector<std::string> extra_flags;
};

// A 32-byte key file for the users service's --signing_key_encryption_key_file, shared by every
// users process of this test (a second process on the same database must open the first's keys).
std::string UsersKeyFlag() {
  static const std::string* flag = [] {
    const char* dir = std::getenv("TEST_TMPDIR");
    std::string path =
        absl::StrCat(dir != nullptr ? dir : "/tmp", "/users-master-", getpid(), ".key");
    std::ofstream(path, std::ios::binary) << "services_test-32-byte-master-key";
    return new std::string("--signing_key_encryption_key_file=" + path);
  }();
  return *flag;
}

const std::vector<ServiceUnderTest>& AllServices() {
  static const auto* services = new std::vector<ServiceUnderTest>{
      {"users",
       "services/users/users_service",
       "/backoffice.users.v1.UsersService/GetUser",
       grpc::StatusCode::UNAUTHENTICATED,
       "UNAUTHENTICATED",
       {UsersKeyFlag()}},
      {"roles", "services/roles/roles_service", "/backoffice.roles.v1.RolesService/ListRoles",
       grpc::StatusCode::UNAUTHENTICATED, "UNAUTHENTICATED"},
      {"audit",
       "services/audit/audit_service",
       "/backoffice.audit.v1.AuditService/QueryEvents",
       grpc::StatusCode::UNAUTHENTICATED,
       "UNAUTHENTICATED",
       {"--allow_ephemeral_checkpoint_key"}},
      {"notifications", "services/notifications/notifications_service",
       "/backoffice.notifications.v1.NotificationsService/GetUnreadCount"},
      {"integrations", "services/integrations/integrations_service",
       "/backoffice.integrations.v1.IntegrationsService/ListDeliveries"},
  };
  return *services;
}

// The database flags plus the service's own.
std::vector<std::string> ServiceFlags(const ServiceUnderTest& service,
                                      const testing::TestDatabase& db) {
  std::vector<std::string> flags = DatabaseFlags(db);
  flags.insert(flags.end(), service.extra_flags.begin(), service.extra_flags.end());
  return flags;
}

std::vector<std::string> Concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::vector<std::string> NonEmptyLines(const std::string& text) {
  std::vector<std::string> lines = absl::StrSplit(text, '\n', absl::SkipEmpty());
  return lines;
}

int PortOf(const boost::json::object& started, const char* key) {
  std::string address(started.at(key).as_string());
  return std::stoi(address.substr(address.rfind(':') + 1));
}

absl::StatusOr<int64_t> CountAppliedMigrations(const testing::TestDatabase& db,
                                               const std::string& schema) {
  pg::PoolOptions options;
  options.connection = db.options();
  options.max_size = 1;
  absl::StatusOr<std::unique_ptr<pg::Pool>> pool = pg::Pool::Create(options);
  if (!pool.ok()) {
    return pool.status();
  }
  absl::StatusOr<pg::PooledConnection> connection = (*pool)->Acquire(absl::Seconds(5));
  if (!connection.ok()) {
    return connection.status();
  }
  absl::StatusOr<pg::Result> result =
      (*connection)
          ->Execute(absl::StrCat("SELECT count(*) FROM ", schema, ".schema_migrations"), {});
  if (!result.ok()) {
    return result.status();
  }
  return (*result)[0].Get<int64_t>(0);
}

// Runs Prometheus's own linter over scraped text: exit 0 and no complaints means a real Prometheus
// parses it.
std::string PromtoolComplaints(const std::string& exposition) {
  std::string path = TestTempPath("metrics");
  {
    std::ofstream out(path);
    out << exposition;
  }
  std::string command = absl::StrCat("/usr/bin/promtool check metrics < ", path, " 2>&1");
  std::string complaints;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[512];
  while (fgets(buffer, sizeof(buffer), pipe) != nullptr) {
    complaints += buffer;
  }
  int status = pclose(pipe);
  if (status != 0 && complaints.empty()) {
    complaints = "promtool failed";
  }
  return complaints;
}

grpc::Status CallRaw(const std::shared_ptr<grpc::Channel>& channel, const std::string& method) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::Slice empty_message("");  // the encoding of a request with every field unset
  grpc::ByteBuffer request(&empty_message, 1);
  grpc::ByteBuffer response;
  grpc::Status status;
  std::mutex mutex;
  std::condition_variable done;
  bool finished = false;
  stub.UnaryCall(&context, method, grpc::StubOptions(), &request, &response, [&](grpc::Status s) {
    std::lock_guard<std::mutex> lock(mutex);
    status = std::move(s);
    finished = true;
    done.notify_one();
  });
  std::unique_lock<std::mutex> lock(mutex);
  done.wait(lock, [&] { return finished; });
  return status;
}

TEST_CASE("every service migrates, serves health and metrics, and stops on SIGTERM") {
  for (const ServiceUnderTest& service : AllServices()) {
    DYNAMIC_SECTION(service.name) {
      absl::StatusOr<testing::TestDatabase> db = testing::PgServer::Shared().CreateDatabase();
      REQUIRE(db.ok());
      absl::StatusOr<ChildProcess> child =
          ChildProcess::Start(service.binary,
                              Concat(ServiceFlags(service, *db),
                                     {"--grpc_port=0", "--admin_port=0", "--log_level=debug"}),
                              TestTempPath(service.name));
      REQUIRE(child.ok());
      boost::json::object started = WaitForServiceStart(*child, "service");
      int grpc_port = PortOf(started, "grpc_address");
      int admin_port = PortOf(started, "admin_address");

      server::testing::TestHttpClient admin(admin_port);
      CHECK(admin.Get("/healthz").result_int() == 200);
      CHECK(admin.Get("/readyz").result_int() == 200);

      auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", grpc_port),
                                         grpc::InsecureChannelCredentials());
      grpc::ClientContext health_context;
      grpc::health::v1::HealthCheckResponse health;
      REQUIRE(grpc::health::v1::Health::NewStub(channel)
                  ->Check(&health_context, grpc::health::v1::HealthCheckRequest(), &health)
                  .ok());
      CHECK(health.status() == grpc::health::v1::HealthCheckResponse::SERVING);
      CHECK(CallRaw(channel, service.some_method).error_code() == service.expected_code);
      CHECK(
          CallRaw(channel, "/grpc.reflection.v1alpha.ServerReflection/NoSuchMethod").error_code() ==
          grpc::StatusCode::UNIMPLEMENTED);

      std::string metrics = admin.Get("/metrics").body();
      std::string method = service.some_method.substr(service.some_method.rfind('/') + 1);
      CHECK_THAT(metrics, Catch::Contains(absl::StrCat("grpc_method=\"", method, "\"")));
      CHECK_THAT(metrics,
                 Catch::Contains(absl::StrCat("grpc_code=\"", service.expected_code_name, "\"")));
      CHECK_THAT(metrics, Catch::Contains("backoffice_pg_pool_max_connections"));
      CHECK_THAT(metrics, Catch::Contains("process_resident_memory_bytes"));
      CHECK(PromtoolComplaints(metrics) == "");

      absl::StatusOr<int64_t> applied = CountAppliedMigrations(*db, service.name);
      REQUIRE(applied.ok());
      CHECK(*applied >= 1);

      child->Signal(SIGTERM);
      std::optional<int> code = child->WaitForExit(absl::Seconds(30));
      REQUIRE(code.has_value());
      CHECK(*code == 0);
      CHECK_THAT(child->Output(), Catch::Contains("\"msg\":\"service stopped\""));
    }
  }
}

// A port that was free a moment ago (for programs that cannot report the port they bound).
int FreePort() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

TEST_CASE("a real Prometheus scrapes a service's /metrics") {
  absl::StatusOr<testing::TestDatabase> db = testing::PgServer::Shared().CreateDatabase();
  REQUIRE(db.ok());
  absl::StatusOr<ChildProcess> service = ChildProcess::Start(
      AllServices()[0].binary,
      Concat(ServiceFlags(AllServices()[0], *db), {"--grpc_port=0", "--admin_port=0"}),
      TestTempPath("scraped"));
  REQUIRE(service.ok());
  int admin_port = PortOf(WaitForServiceStart(*service, "service"), "admin_address");

  std::string dir = TestTempPath("prometheus");
  std::filesystem::create_directories(dir);
  {
    std::ofstream config(dir + "/prometheus.yml");
    config << "global: {scrape_interval: 200ms}\n"
              "scrape_configs:\n"
              "  - job_name: users\n"
              "    static_configs: [{targets: ['127.0.0.1:"
           << admin_port << "']}]\n";
  }
  int web_port = FreePort();
  absl::StatusOr<ChildProcess> prometheus = ChildProcess::Start(
      "/usr/bin/prometheus",
      {"--config.file=" + dir + "/prometheus.yml", "--storage.tsdb.path=" + dir + "/data",
       absl::StrCat("--web.listen-address=127.0.0.1:", web_port)},
      dir + "/prometheus.log");
  REQUIRE(prometheus.ok());

  // Bounded wait for a successful scrape: up == 1 and one of our series stored.
  bool scraped = false;
  for (int i = 0; i < 300 && !scraped; ++i) {
    absl::SleepFor(absl::Milliseconds(100));
    try {
      server::testing::TestHttpClient client(web_port);
      std::string up = client.Get("/api/v1/query?query=up").body();
      std::string pool =
          client.Get("/api/v1/query?query=backoffice_pg_pool_max_connections").body();
      scraped = up.find("\"1\"]") != std::string::npos && pool.find("\"16\"]") != std::string::npos;
    } catch (const std::exception&) {
      // Prometheus is still starting.
    }
  }
  INFO(prometheus->Output());
  CHECK(scraped);
  prometheus->Signal(SIGTERM);
  prometheus->WaitForExit(absl::Seconds(10));
}

TEST_CASE("--migrate_only applies migrations once and exits; a restart applies nothing new") {
  absl::StatusOr<testing::TestDatabase> db = testing::PgServer::Shared().CreateDatabase();
  REQUIRE(db.ok());
  const ServiceUnderTest& users = AllServices()[0];
  for (int run = 0; run < 2; ++run) {
    absl::StatusOr<ChildProcess> child = ChildProcess::Start(
        users.binary, Concat(DatabaseFlags(*db), {"--migrate_only"}), TestTempPath("migrate-only"));
    REQUIRE(child.ok());
    std::optional<int> code = child->WaitForExit(absl::Seconds(30));
    REQUIRE(code.has_value());
    CHECK(*code == 0);
    CHECK_THAT(child->Output(), !Catch::Contains("service started"));
    absl::StatusOr<int64_t> applied = CountAppliedMigrations(*db, "users");
    REQUIRE(applied.ok());
    CHECK(*applied == static_cast<int64_t>(std::size(backoffice::users::kMigrations)));
  }
}

// A start-up failure exits non-zero and writes JSON lines only, the last one naming the problem.
// Failures found before anything starts (configuration, database) are exactly one line.
// Command-line errors come from Abseil's flag parser as one plain-text line.
void ExpectFailure(const std::vector<std::string>& args, const std::string& expected,
                   bool one_line = true, bool json_lines = true) {
  const ServiceUnderTest& users = AllServices()[0];
  absl::StatusOr<ChildProcess> child =
      ChildProcess::Start(users.binary, args, TestTempPath("fail"));
  REQUIRE(child.ok());
  std::optional<int> code = child->WaitForExit(absl::Seconds(30));
  REQUIRE(code.has_value());
  CHECK(*code != 0);
  std::vector<std::string> lines = NonEmptyLines(child->Output());
  INFO(child->Output());
  REQUIRE_FALSE(lines.empty());
  if (one_line) {
    CHECK(lines.size() == 1);
  }
  for (const std::string& line : lines) {
    if (!json_lines) {
      break;
    }
    boost::system::error_code error;
    boost::json::parse(line, error);
    CHECK_FALSE(error);
  }
  CHECK_THAT(lines.back(), Catch::Contains(expected));
}

TEST_CASE("bad configuration fails at start with one clear line") {
  absl::StatusOr<testing::TestDatabase> db = testing::PgServer::Shared().CreateDatabase();
  REQUIRE(db.ok());
  std::vector<std::string> good = ServiceFlags(AllServices()[0], *db);

  SECTION("unreachable database") {
    ExpectFailure({"--db_host=127.0.0.1", "--db_port=1", "--grpc_port=0", "--admin_port=0"},
                  "cannot connect to PostgreSQL at 127.0.0.1:1");
  }
  SECTION("missing password file") {
    ExpectFailure(Concat(good, {"--db_password_file=/nonexistent/secret"}), "--db_password_file");
  }
  SECTION("unknown flag") {
    ExpectFailure({"--no_such_flag=1"}, "no_such_flag", /*one_line=*/true, /*json_lines=*/false);
  }
  SECTION("users without a key for its signing keys") {
    ExpectFailure(Concat(DatabaseFlags(*db), {"--grpc_port=0", "--admin_port=0"}),
                  "--signing_key_encryption_key_file is required", /*one_line=*/false);
  }
  SECTION("bad log level") { ExpectFailure(Concat(good, {"--log_level=loud"}), "--log_level"); }
  SECTION("gRPC port taken") {
    absl::StatusOr<ChildProcess> first = ChildProcess::Start(
        AllServices()[0].binary, Concat(good, {"--grpc_port=0", "--admin_port=0"}),
        TestTempPath("first"));
    REQUIRE(first.ok());
    int taken = PortOf(WaitForServiceStart(*first, "service"), "grpc_address");
    ExpectFailure(Concat(good, {absl::StrCat("--grpc_port=", taken), "--admin_port=0"}),
                  absl::StrCat("cannot listen for gRPC on 127.0.0.1:", taken), /*one_line=*/false);
  }
}

}  // namespace
}  // namespace backoffice::tests
