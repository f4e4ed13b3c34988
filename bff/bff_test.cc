// The whole //bff:bff binary: starts with its defaults next to a (dead or live) users service,
// serves its ops endpoints, and stops cleanly on SIGTERM.
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "bff/downstream/testdata/echo.grpc.pb.h"
#include "bff/testing/http_client.h"

namespace backoffice::bff {
namespace {

using testing::GetOnce;
using testing::TestResponse;

std::string TmpDir() {
  const char* dir = std::getenv("TEST_TMPDIR");
  return dir != nullptr ? dir : "/tmp";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The BFF binary as a child process with its output in a file.
class Bff {
 public:
  explicit Bff(std::vector<std::string> args) {
    static int counter = 0;
    log_path_ = TmpDir() + "/bff-" + std::to_string(++counter) + ".log";
    args.insert(args.begin(), "bff/bff");
    // posix_spawn, not fork: gRPC in this process must not see a fork (its atfork handlers
    // stall the test's own gRPC server).
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log_path_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, STDOUT_FILENO);
    std::vector<char*> argv;
    for (std::string& arg : args) {
      argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) {
      pid_ = -1;
    }
    posix_spawn_file_actions_destroy(&actions);
  }

  ~Bff() {
    if (pid_ > 0 && !exit_code_.has_value()) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  // The port from the "bff listening" line; 0 if it never came (the binary failed).
  int WaitForPort() {
    for (int i = 0; i < 1000; ++i) {
      std::string output = Output();
      size_t line = output.find("\"msg\":\"bff listening\"");
      size_t port = output.find("\"port\":", line == std::string::npos ? output.size() : line);
      if (line != std::string::npos && port != std::string::npos) {
        return std::atoi(output.c_str() + port + 7);
      }
      if (Exited()) {
        return 0;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return 0;
  }

  bool Exited() {
    if (exit_code_.has_value()) {
      return true;
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return true;
    }
    return false;
  }

  std::optional<int> StopAndWait() {
    kill(pid_, SIGTERM);
    for (int i = 0; i < 3000 && !Exited(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return exit_code_;
  }

  std::string Output() const { return ReadFile(log_path_); }

 private:
  pid_t pid_ = -1;
  std::string log_path_;
  std::optional<int> exit_code_;
};

class Echo final : public bff::testing::v1::EchoService::Service {};

TEST_CASE("the BFF runs without its users service, not ready, and stops on SIGTERM", "[bff]") {
  // Only the port is overridden (8080 may be taken on a shared machine); the users service of
  // the local stack is not running here.
  Bff bff({"--port=0", "--users_address=127.0.0.1:1", "--roles_address=127.0.0.1:1"});
  int port = bff.WaitForPort();
  INFO(bff.Output());
  REQUIRE(port > 0);
  std::optional<TestResponse> health = GetOnce(port, "/healthz");
  REQUIRE(health.has_value());
  CHECK(health->status == 200);
  CHECK(health->Header("x-content-type-options") == "nosniff");
  std::optional<TestResponse> ready = GetOnce(port, "/readyz");
  CHECK(ready->status == 503);
  CHECK(absl::StrContains(ready->body, "users"));
  std::optional<TestResponse> api = GetOnce(port, "/api/users");
  CHECK(api->status == 401);  // a real route, and no credentials
  CHECK(api->Header("content-type") == "application/problem+json");
  std::optional<TestResponse> metrics = GetOnce(port, "/metrics");
  CHECK(absl::StrContains(metrics->body, "backoffice_build_info{service=\"bff\"} 1"));
  CHECK(absl::StrContains(metrics->body, "bff_http_requests_total{route=\"/healthz\""));
  CHECK(bff.StopAndWait() == 0);
  CHECK(absl::StrContains(bff.Output(), "\"msg\":\"stopped\""));
  // Every line is JSON with a request id where a request caused it.
  CHECK(absl::StrContains(bff.Output(), "\"msg\":\"http request\",\"request_id\":"));
}

TEST_CASE("the BFF is ready once its users and roles channels are", "[bff]") {
  Echo service;
  int grpc_port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &grpc_port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> grpc_server = builder.BuildAndStart();
  REQUIRE(grpc_server != nullptr);

  // One live gRPC server stands for both required services (readiness only needs a channel).
  std::string address = "127.0.0.1:" + std::to_string(grpc_port);
  Bff bff({"--port=0", "--users_address=" + address, "--roles_address=" + address,
           "--access_log=false"});
  int port = bff.WaitForPort();
  INFO(bff.Output());
  REQUIRE(port > 0);
  int status = 0;
  for (int i = 0; i < 500 && status != 200; ++i) {
    std::optional<TestResponse> ready = GetOnce(port, "/readyz");
    status = ready.has_value() ? ready->status : 0;
    if (status != 200) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  CHECK(status == 200);
  CHECK(bff.StopAndWait() == 0);
  grpc_server->Shutdown();
}

TEST_CASE("bad flags stop the BFF with a clear message", "[bff]") {
  Bff bff({"--port=0", "--bind_address=not-an-ip"});
  CHECK(bff.WaitForPort() == 0);
  CHECK(absl::StrContains(bff.Output(), "not an IP address"));
}

}  // namespace
}  // namespace backoffice::bff
