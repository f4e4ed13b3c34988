#include "bff/it/stack.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "bff/testing/http_client.h"

extern char** environ;

namespace backoffice::bff::it {
namespace {

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  static int counter = 0;
  return absl::StrCat(dir != nullptr ? dir : "/tmp", "/", name, "-", getpid(), "-", ++counter);
}

std::string WriteFile(const std::string& name, const std::string& content) {
  std::string path = TempPath(name);
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

}  // namespace

std::string LogField(const std::string& line, const std::string& name) {
  boost::system::error_code error;
  boost::json::value parsed = boost::json::parse(line, error);
  if (error || !parsed.is_object()) {
    return "";
  }
  const boost::json::value* value = parsed.as_object().if_contains(name);
  if (value == nullptr) {
    return "";
  }
  if (value->is_string()) {
    return std::string(value->get_string());
  }
  return boost::json::serialize(*value);
}

Process::Process(const std::string& program, std::vector<std::string> args, std::string log_path)
    : log_path_(std::move(log_path)) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(program.c_str()));
  for (std::string& arg : args) {
    argv.push_back(arg.data());
  }
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path_.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t empty;
  sigemptyset(&empty);
  posix_spawnattr_setsigmask(&attributes, &empty);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);
  if (posix_spawn(&pid_, program.c_str(), &actions, &attributes, argv.data(), environ) != 0) {
    pid_ = -1;
  }
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
}

Process::~Process() {
  if (pid_ > 0 && !Exited()) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

std::string Process::Output() const {
  std::ifstream in(log_path_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool Process::Exited() {
  if (exit_code_.has_value()) {
    return true;
  }
  int status = 0;
  if (pid_ > 0 && waitpid(pid_, &status, WNOHANG) == pid_) {
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return true;
  }
  return false;
}

std::optional<int> Process::Stop() {
  if (pid_ > 0 && !Exited()) {
    kill(pid_, SIGTERM);
  }
  for (int i = 0; i < 2000 && !Exited(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return exit_code_;
}

std::string Process::WaitForLogLine(const std::string& msg) {
  for (int i = 0; i < 3000; ++i) {
    for (absl::string_view line : absl::StrSplit(Output(), '\n', absl::SkipEmpty())) {
      if (LogField(std::string(line), "msg") == msg) {
        return std::string(line);
      }
    }
    if (Exited()) {
      return "";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return "";
}

Stack::Stack(std::vector<std::string> bff_flags) {
  absl::StatusOr<backoffice::testing::TestDatabase> db =
      backoffice::testing::PgServer::Shared().CreateDatabase();
  REQUIRE(db.ok());
  db_ = *db;
  pg::ConnectionOptions options = db_.options();
  std::string key_file = WriteFile("master.key", "0123456789abcdef0123456789abcdef");
  std::string password_file = WriteFile("admin.password", kAdminPassword);
  users_ = std::make_unique<Process>(
      "services/users/users_service",
      std::vector<std::string>{
          absl::StrCat("--db_host=", options.host), absl::StrCat("--db_port=", options.port),
          absl::StrCat("--db_name=", options.dbname), absl::StrCat("--db_user=", options.user),
          "--grpc_port=0", "--admin_port=0", "--db_pool_size=4",
          absl::StrCat("--signing_key_encryption_key_file=", key_file),
          absl::StrCat("--bootstrap_admin_email=", kAdminEmail),
          absl::StrCat("--bootstrap_admin_password_file=", password_file)},
      TempPath("users.log"));
  REQUIRE(users_->started());
  std::string started = users_->WaitForLogLine("service started");
  INFO(users_->Output());
  REQUIRE_FALSE(started.empty());
  users_address_ = LogField(started, "grpc_address");
  admin_id_ = LogField(users_->WaitForLogLine("bootstrap admin created"), "user_id");
  REQUIRE_FALSE(admin_id_.empty());

  std::vector<std::string> args = {"--port=0",
                                   absl::StrCat("--users_address=", users_address_),
                                   "--static_dir=",
                                   "--login_rate_per_address=100",
                                   "--login_burst_per_address=100",
                                   "--rate_per_address=10000",
                                   "--burst_per_address=10000",
                                   "--rate_per_user=10000",
                                   "--burst_per_user=10000"};
  args.insert(args.end(), bff_flags.begin(), bff_flags.end());
  bff_ = std::make_unique<Process>("bff/bff", args, TempPath("bff.log"));
  REQUIRE(bff_->started());
  std::string listening = bff_->WaitForLogLine("bff listening");
  INFO(bff_->Output());
  REQUIRE_FALSE(listening.empty());
  bff_port_ = std::stoi(LogField(listening, "port"));
  int status = 0;
  for (int i = 0; i < 1000 && status != 200; ++i) {
    std::optional<bff::testing::TestResponse> ready = bff::testing::GetOnce(bff_port_, "/readyz");
    status = ready.has_value() ? ready->status : 0;
    if (status != 200) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  REQUIRE(status == 200);
}

Stack::~Stack() {
  if (bff_) {
    bff_->Stop();
  }
  if (users_) {
    users_->Stop();
  }
}

void Stack::StopUsers() { users_->Stop(); }

}  // namespace backoffice::bff::it
