// The stack the BFF's end-to-end tests drive: a fresh database on the shared test PostgreSQL,
// the real users_service binary (bootstrap admin), and the real bff binary in front of it, all
// on loopback ports the OS picked.
//
//   Stack stack;                                    // starts users + bff, waits until ready
//   TestHttpClient http(stack.bff_port());
//   auto login = http.Request("POST", "/api/auth/login", {...}, R"({"email":...})");
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "libs/testing/pg_server.h"

namespace backoffice::bff::it {

inline constexpr char kAdminEmail[] = "admin@example.com";
inline constexpr char kAdminPassword[] = "correct horse battery staple 42";

/// A child process with its output in a file; killed (SIGKILL) on destruction if still running.
class Process {
 public:
  Process(const std::string& program, std::vector<std::string> args, std::string log_path);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  bool started() const { return pid_ > 0; }
  std::string Output() const;
  /// Whether it has exited (reaps it).
  bool Exited();
  /// SIGTERM, then waits up to 20 s; the exit code if it ended.
  std::optional<int> Stop();
  /// The first JSON log line whose msg is `msg`, or "" (waits up to 30 s).
  std::string WaitForLogLine(const std::string& msg);

 private:
  pid_t pid_ = -1;
  std::string log_path_;
  std::optional<int> exit_code_;
};

class Stack {
 public:
  /// Starts users and bff (bff gets `bff_flags` too) and waits until /readyz is 200.
  explicit Stack(std::vector<std::string> bff_flags = {});
  ~Stack();

  int bff_port() const { return bff_port_; }
  const std::string& users_address() const { return users_address_; }
  const std::string& admin_id() const { return admin_id_; }
  Process& users() { return *users_; }
  Process& bff() { return *bff_; }

  /// Stops the users service (SIGTERM).
  void StopUsers();

 private:
  backoffice::testing::TestDatabase db_;
  std::unique_ptr<Process> users_;
  std::unique_ptr<Process> bff_;
  std::string users_address_;
  std::string admin_id_;
  int bff_port_ = 0;
};

/// A JSON field of a log line (`"name":"value"`), or "".
std::string LogField(const std::string& line, const std::string& name);

}  // namespace backoffice::bff::it
