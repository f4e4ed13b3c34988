#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace backoffice::tests {

/// A real child process for tests that start the platform's binaries. Its stdout and stderr go
/// to a file the test can read. The destructor kills it (SIGKILL) if it still runs.
///
///   absl::StatusOr<ChildProcess> child = ChildProcess::Start(path, {"--flag=1"}, log_path);
///   child->Signal(SIGTERM);
///   std::optional<int> code = child->WaitForExit(absl::Seconds(10));
class ChildProcess {
 public:
  /// Starts `program` with `args`; output (both streams) is appended to `output_path`.
  static absl::StatusOr<ChildProcess> Start(const std::string& program,
                                            const std::vector<std::string>& args,
                                            const std::string& output_path);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) = delete;
  ChildProcess(const ChildProcess&) = delete;
  ~ChildProcess();

  pid_t pid() const { return pid_; }

  /// Sends a signal to the child.
  void Signal(int signal);

  /// Waits up to `timeout` for the child to exit. Returns its exit code (128 + signal number if a
  /// signal ended it), or nullopt if it still runs.
  std::optional<int> WaitForExit(absl::Duration timeout);

  /// Everything the child wrote so far.
  std::string Output() const;

 private:
  ChildProcess(pid_t pid, std::string output_path)
      : pid_(pid), output_path_(std::move(output_path)) {}

  pid_t pid_ = -1;
  std::string output_path_;
  std::optional<int> exit_code_;
};

}  // namespace backoffice::tests
