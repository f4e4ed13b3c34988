#include "libs/testing/pg_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <postgresql/libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace backoffice::testing {
namespace {

constexpr char kUser[] = "postgres";
constexpr char kSystemUser[] = "postgres";
constexpr char kFolderPrefix[] = "backoffice-pg-";
constexpr char kOwnerFile[] = "owner.pid";

// Highest-versioned /usr/lib/postgresql/<version>/bin that has pg_ctl.
absl::StatusOr<std::string> FindBinDir() {
  const std::filesystem::path root = "/usr/lib/postgresql";
  std::error_code error;
  int best_version = -1;
  std::string best;
  for (const auto& entry : std::filesystem::directory_iterator(root, error)) {
    int version = 0;
    if (!absl::SimpleAtoi(entry.path().filename().string(), &version)) {
      continue;
    }
    const std::filesystem::path bin = entry.path() / "bin";
    if (version > best_version && std::filesystem::exists(bin / "pg_ctl") &&
        std::filesystem::exists(bin / "initdb")) {
      best_version = version;
      best = bin.string();
    }
  }
  if (best.empty()) {
    return absl::NotFoundError(
        "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (apt-get "
        "install "
        "postgresql-15)");
  }
  return best;
}

std::string FindRunuser() {
  for (const char* path : {"/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"}) {
    if (access(path, X_OK) == 0) {
      return path;
    }
  }
  return "runuser";
}

// True if a user other than the owner can reach `path` (every ancestor is o+x).
bool TraversableByOthers(const std::filesystem::path& path) {
  std::filesystem::path current;
  for (const auto& part : std::filesystem::absolute(path)) {
    current /= part;
    struct stat info;
    if (stat(current.c_str(), &info) != 0 || (info.st_mode & S_IXOTH) == 0) {
      return false;
    }
  }
  return true;
}

// $TEST_TMPDIR when the server can use it, else /tmp. Bazel's TEST_TMPDIR lies under /root (mode
// 0700, unreachable for the postgres user) when run as root, and is often too long for a unix
// socket path (108 bytes).
std::string BaseFolder(bool as_postgres_user) {
  const char* test_tmpdir = std::getenv("TEST_TMPDIR");
  if (test_tmpdir == nullptr || *test_tmpdir == '\0') {
    return "/tmp";
  }
  const std::string candidate = test_tmpdir;
  constexpr size_t kSuffix = sizeof("/backoffice-pg-XXXXXX/.s.PGSQL.65535.lock");
  if (candidate.size() + kSuffix > 100) {
    return "/tmp";
  }
  if (as_postgres_user && !TraversableByOthers(candidate)) {
    return "/tmp";
  }
  return candidate;
}

bool ProcessAlive(const std::string& pid_file) {
  std::ifstream in(pid_file);
  long pid = 0;
  if (!(in >> pid) || pid <= 0) {
    return false;
  }
  return kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

// Folders of servers whose test process died without cleaning up. Usually the watchdog deletes
// them, but a test runner that kills every descendant of a finished test (Bazel's
// process-wrapper does) can stop it halfway.
void RemoveStaleFolders(const std::string& base) {
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(base, error)) {
    const std::string folder = entry.path().string();
    if (!entry.path().filename().string().starts_with(kFolderPrefix) ||
        !std::filesystem::exists(folder + "/" + kOwnerFile)) {
      continue;
    }
    // A folder created moments ago may belong to a test binary starting right now, whose owner
    // file is not written yet: leave young folders alone.
    auto written = std::filesystem::last_write_time(folder + "/" + kOwnerFile, error);
    if (error ||
        std::filesystem::file_time_type::clock::now() - written < std::chrono::minutes(1)) {
      error.clear();
      continue;
    }
    if (ProcessAlive(folder + "/" + kOwnerFile) || ProcessAlive(folder + "/data/postmaster.pid")) {
      continue;
    }
    std::filesystem::remove_all(folder, error);
  }
}

absl::StatusOr<int> PickFreePort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    const std::string error = std::strerror(errno);
    close(fd);
    return absl::InternalError(absl::StrCat("binding 127.0.0.1:0: ", error));
  }
  close(fd);
  return ntohs(address.sin_port);
}

std::string ReadTail(const std::string& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return "";
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  if (text.size() > max_bytes) {
    text = "..." + text.substr(text.size() - max_bytes);
  }
  return text;
}

// Runs argv (argv[0] an absolute path) in `cwd` with output appended to `output`, waits for it.
absl::Status Run(const std::vector<std::string>& argv, const std::string& cwd,
                 const std::string& output) {
  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  std::vector<char*> args;
  for (const std::string& arg : argv) {
    args.push_back(const_cast<char*>(arg.c_str()));
  }
  args.push_back(nullptr);
  const int out_fd = open(output.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (out_fd < 0) {
    return absl::InternalError(absl::StrCat("open ", output, ": ", std::strerror(errno)));
  }
  const int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  const pid_t pid = fork();
  if (pid < 0) {
    close(out_fd);
    close(null_fd);
    return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
  }
  if (pid == 0) {
    dup2(null_fd, 0);
    dup2(out_fd, 1);
    dup2(out_fd, 2);
    if (chdir(cwd.c_str()) != 0) {
      _exit(126);
    }
    execv(args[0], args.data());
    _exit(127);
  }
  close(out_fd);
  close(null_fd);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      return absl::InternalError(absl::StrCat("waitpid: ", std::strerror(errno)));
    }
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string command;
    for (const std::string& arg : argv) {
      absl::StrAppend(&command, command.empty() ? "" : " ", arg);
    }
    return absl::InternalError(absl::StrCat("`", command, "` failed (",
                                            WIFEXITED(status)
                                                ? absl::StrCat("exit ", WEXITSTATUS(status))
                                                : absl::StrCat("signal ", WTERMSIG(status)),
                                            "); its output:\n", ReadTail(output, 2000)));
  }
  return absl::OkStatus();
}

}  // namespace

pg::ConnectionOptions TestDatabase::options() const {
  pg::ConnectionOptions options;
  options.host = host;
  options.port = port;
  options.dbname = name;
  options.user = user;
  options.application_name = "backoffice-test";
  return options;
}

pg::ConnectionOptions ConnectionOptionsFor(const TestDatabase& db) { return db.options(); }

std::vector<std::string> DatabaseFlags(const TestDatabase& db) {
  return {absl::StrCat("--db_host=", db.host), absl::StrCat("--db_port=", db.port),
          absl::StrCat("--db_name=", db.name), absl::StrCat("--db_user=", db.user)};
}

PgServer& PgServer::Shared() {
  static std::unique_ptr<PgServer> server = [] {
    absl::StatusOr<std::unique_ptr<PgServer>> launched = Launch();
    if (!launched.ok()) {
      std::fprintf(stderr, "FATAL: cannot start the test PostgreSQL server: %s\n",
                   std::string(launched.status().message()).c_str());
      std::fflush(stderr);
      std::exit(EXIT_FAILURE);
    }
    return *std::move(launched);
  }();
  return *server;
}

absl::StatusOr<std::unique_ptr<PgServer>> PgServer::Launch() {
  std::unique_ptr<PgServer> server(new PgServer());
  if (absl::Status status = server->Init(); !status.ok()) {
    return status;
  }
  return server;
}

absl::Status PgServer::Init() {
  absl::StatusOr<std::string> bin_dir = FindBinDir();
  if (!bin_dir.ok()) {
    return bin_dir.status();
  }
  bin_dir_ = *bin_dir;
  as_postgres_user_ = geteuid() == 0;
  const passwd* system_user = nullptr;
  if (as_postgres_user_) {
    system_user = getpwnam(kSystemUser);
    if (system_user == nullptr) {
      return absl::FailedPreconditionError(
          "running as root, but there is no `postgres` system user to run "
          "PostgreSQL as "
          "(apt-get install postgresql-15 creates it)");
    }
  }

  const std::string base = BaseFolder(as_postgres_user_);
  RemoveStaleFolders(base);
  std::string pattern = base + "/" + kFolderPrefix + "XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("mkdtemp ", pattern, ": ", std::strerror(errno)));
  }
  folder_ = pattern;
  data_dir_ = folder_ + "/data";
  log_file_ = folder_ + "/server.log";
  {
    // Written whole, then renamed into place: another test binary never reads it half-written.
    const std::string partial = folder_ + "/" + kOwnerFile + ".partial";
    {
      std::ofstream owner(partial);
      owner << getpid() << "\n";
    }
    std::filesystem::rename(partial, folder_ + "/" + kOwnerFile);
  }
  StartWatchdog();
  if (as_postgres_user_ && chown(folder_.c_str(), system_user->pw_uid, system_user->pw_gid) != 0) {
    return absl::InternalError(
        absl::StrCat("chown ", folder_, " to postgres: ", std::strerror(errno)));
  }
  chmod(folder_.c_str(), 0700);

  std::vector<std::string> initdb = {
      bin_dir_ + "/initdb", "-D",       data_dir_, "-U", kUser, "-A", "trust", "-E", "UTF8",
      "--locale=C",         "--no-sync"};
  if (as_postgres_user_) {
    initdb.insert(initdb.begin(), {FindRunuser(), "-u", kSystemUser, "--"});
  }
  if (absl::Status status = Run(initdb, folder_, folder_ + "/initdb.log"); !status.ok()) {
    return status;
  }
  {
    std::ofstream conf(data_dir_ + "/postgresql.conf", std::ios::app);
    conf << "\n# Test server settings (libs/testing/pg_server.cc)\n"
         << "listen_addresses = '127.0.0.1'\n"
         << "unix_socket_directories = '" << folder_ << "'\n"
         << "fsync = off\n"
         << "synchronous_commit = off\n"
         << "full_page_writes = off\n"
         << "max_connections = 200\n"
         << "shared_buffers = 32MB\n";
    if (!conf) {
      return absl::InternalError("cannot write postgresql.conf");
    }
  }
  // The port is free when picked but another process may take it before the server binds it
  // (tests run in parallel): try a few.
  absl::MutexLock lock(&mutex_);
  absl::Status started;
  for (int attempt = 0; attempt < 5; ++attempt) {
    absl::StatusOr<int> port = PickFreePort();
    if (!port.ok()) {
      return port.status();
    }
    port_ = *port;
    started = StartLocked();
    if (started.ok() || !absl::StrContains(started.message(), "Address already in use")) {
      return started;
    }
  }
  return started;
}

void PgServer::StartWatchdog() {
  // The watchdog reads a pipe whose write end only this process holds (O_CLOEXEC keeps it out of
  // the server). "done" means we cleaned up; EOF without it means we died: stop the server and
  // delete the folder.
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return;
  }
  // On EOF: immediate shutdown by signal (no pg_ctl wait, no runuser), then delete the folder.
  std::vector<std::string> argv = {
      "/bin/sh",
      "-c",
      "if read -r line && [ \"$line\" = done ]; then exit 0; fi; "
      "pid=$(head -n 1 \"$1/postmaster.pid\" 2>/dev/null); "
      "if [ -n \"$pid\" ]; then kill -QUIT \"$pid\"; "
      "for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 \"$pid\" 2>/dev/null || break; sleep 0.1; done; "
      "fi; rm -rf \"$2\"",
      "pg-server-watchdog",
      data_dir_,
      folder_,
  };
  std::vector<char*> args;
  for (std::string& arg : argv) {
    args.push_back(arg.data());
  }
  args.push_back(nullptr);
  const int null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
  const pid_t pid = fork();
  if (pid == 0) {
    setsid();  // survive the signal a test runner sends to our process group
    dup2(fds[0], 0);
    dup2(null_fd, 1);
    dup2(null_fd, 2);
    if (chdir("/") != 0) {
      _exit(126);
    }
    execv(args[0], args.data());
    _exit(127);
  }
  close(fds[0]);
  close(null_fd);
  if (pid < 0) {
    close(fds[1]);
    return;
  }
  watchdog_fd_ = fds[1];
  watchdog_pid_ = pid;
}

absl::Status PgServer::StartLocked() {
  // The port goes on the command line (not postgresql.conf) so a retry can pick another one.
  std::vector<std::string> start = {
      bin_dir_ + "/pg_ctl",       "-D", data_dir_, "-l", log_file_, "-o",
      absl::StrCat("-p ", port_), "-w", "-t",      "60", "start"};
  if (as_postgres_user_) {
    start.insert(start.begin(), {FindRunuser(), "-u", kSystemUser, "--"});
  }
  if (absl::Status status = Run(start, folder_, folder_ + "/pg_ctl.log"); !status.ok()) {
    return absl::InternalError(absl::StrCat(status.message(), "\nserver log:\n", LogTail()));
  }
  running_ = true;
  return absl::OkStatus();
}

absl::Status PgServer::StopLocked(const char* mode) {
  std::vector<std::string> stop = {
      bin_dir_ + "/pg_ctl", "-D", data_dir_, "-m", mode, "-w", "-t", "60", "stop"};
  if (as_postgres_user_) {
    stop.insert(stop.begin(), {FindRunuser(), "-u", kSystemUser, "--"});
  }
  absl::Status status = Run(stop, folder_, folder_ + "/pg_ctl.log");
  if (status.ok()) {
    running_ = false;
  }
  return status;
}

absl::Status PgServer::Stop() {
  absl::MutexLock lock(&mutex_);
  if (!running_) {
    return absl::FailedPreconditionError("the test PostgreSQL server is not running");
  }
  return StopLocked("fast");
}

absl::Status PgServer::Start() {
  absl::MutexLock lock(&mutex_);
  if (running_) {
    return absl::FailedPreconditionError("the test PostgreSQL server is already running");
  }
  return StartLocked();
}

PgServer::~PgServer() {
  {
    absl::MutexLock lock(&mutex_);
    if (running_ && !StopLocked("fast").ok()) {
      StopLocked("immediate").IgnoreError();
    }
  }
  if (!folder_.empty()) {
    std::error_code error;
    std::filesystem::remove_all(folder_, error);
  }
  if (watchdog_fd_ >= 0) {
    const char done[] = "done\n";
    if (write(watchdog_fd_, done, sizeof(done) - 1) < 0) {
      // The watchdog is gone; nothing left for it to do anyway.
    }
    close(watchdog_fd_);
    waitpid(watchdog_pid_, nullptr, 0);
  }
}

std::string PgServer::LogTail() const { return ReadTail(log_file_, 2000); }

absl::StatusOr<TestDatabase> PgServer::CreateDatabase() {
  int number = 0;
  {
    absl::MutexLock lock(&mutex_);
    number = ++next_database_;
  }
  TestDatabase db;
  db.name = absl::StrCat("test_", number);
  db.host = host();
  db.port = port_;
  db.user = kUser;
  db.conninfo =
      absl::StrCat("host=", db.host, " port=", db.port, " dbname=", db.name, " user=", db.user);

  const std::string port = absl::StrCat(port_);
  const char* keys[] = {"host", "port", "dbname", "user", nullptr};
  const char* values[] = {"127.0.0.1", port.c_str(), "postgres", kUser, nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, 0);
  if (PQstatus(conn) != CONNECTION_OK) {
    absl::Status status = absl::UnavailableError(absl::StrCat(
        "cannot connect to the test server on port ", port_, ": ", PQerrorMessage(conn)));
    PQfinish(conn);
    return status;
  }
  // The name is generated here (test_<n>), so splicing it into the statement is safe.
  PGresult* result = PQexec(conn, absl::StrCat("CREATE DATABASE ", db.name).c_str());
  absl::Status status = absl::OkStatus();
  if (PQresultStatus(result) != PGRES_COMMAND_OK) {
    status = absl::InternalError(
        absl::StrCat("CREATE DATABASE ", db.name, " failed: ", PQresultErrorMessage(result)));
  }
  PQclear(result);
  PQfinish(conn);
  if (!status.ok()) {
    return status;
  }
  return db;
}

}  // namespace backoffice::testing
