#include "libs/config/secret_file.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/match.h"

namespace backoffice::config {
namespace {

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

std::string WriteFile(const std::string& name, const std::string& content) {
  const std::string path = TempPath(name);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  REQUIRE(out.good());
  return path;
}

TEST_CASE("ReadSecretFile strips exactly one trailing newline") {
  CHECK(*ReadSecretFile(WriteFile("plain", "hunter2")) == "hunter2");
  CHECK(*ReadSecretFile(WriteFile("lf", "hunter2\n")) == "hunter2");
  CHECK(*ReadSecretFile(WriteFile("crlf", "hunter2\r\n")) == "hunter2");
  CHECK(*ReadSecretFile(WriteFile("two_lf", "hunter2\n\n")) == "hunter2\n");
  CHECK(*ReadSecretFile(WriteFile("inner", " a b\nc ")) == " a b\nc ");
}

TEST_CASE("ReadSecretFile reads binary content and files larger than one read") {
  std::string key(10000, 'k');
  key[5] = '\0';
  CHECK(*ReadSecretFile(WriteFile("big", key + "\n")) == key);
}

TEST_CASE("A missing secret file is NOT_FOUND and names the path") {
  const std::string path = TempPath("does-not-exist");
  absl::StatusOr<std::string> secret = ReadSecretFile(path);
  REQUIRE(secret.status().code() == absl::StatusCode::kNotFound);
  CHECK(absl::StrContains(secret.status().message(), path));

  const std::string under_file = WriteFile("regular", "x") + "/child";
  CHECK(ReadSecretFile(under_file).status().code() == absl::StatusCode::kNotFound);
}

TEST_CASE("An empty secret file is INVALID_ARGUMENT") {
  for (const char* content : {"", "\n", "\r\n"}) {
    const std::string path = WriteFile("empty", content);
    absl::StatusOr<std::string> secret = ReadSecretFile(path);
    REQUIRE(secret.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(secret.status().message() == "secret file " + path + " is empty");
  }
  CHECK(ReadSecretFile("").status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("A folder or an oversized file is INVALID_ARGUMENT without the content") {
  const std::string dir = TempPath("secret-dir");
  ::mkdir(dir.c_str(), 0700);
  CHECK(ReadSecretFile(dir).status().code() == absl::StatusCode::kInvalidArgument);

  std::string huge(kMaxSecretFileBytes + 1, 'z');
  absl::StatusOr<std::string> secret = ReadSecretFile(WriteFile("huge", huge));
  REQUIRE(secret.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(!absl::StrContains(secret.status().message(), "zzz"));
}

TEST_CASE("An unreadable secret file is PERMISSION_DENIED") {
  const std::string path = WriteFile("unreadable", "top-secret");
  REQUIRE(::chmod(path.c_str(), 0) == 0);
  // Root reads any file, so the read runs in a child that drops to user nobody (65534) first.
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) {
      ::_exit(100);
    }
    absl::StatusOr<std::string> secret = ReadSecretFile(path);
    const std::string message(secret.status().message());
    if (::write(fds[1], message.data(), message.size()) < 0) {
      ::_exit(101);
    }
    ::_exit(static_cast<int>(secret.status().code()));
  }
  ::close(fds[1]);
  std::string message;
  char buffer[512];
  ssize_t n;
  while ((n = ::read(fds[0], buffer, sizeof(buffer))) > 0) {
    message.append(buffer, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == static_cast<int>(absl::StatusCode::kPermissionDenied));
  CHECK(absl::StrContains(message, path));
  CHECK(!absl::StrContains(message, "top-secret"));
}

}  // namespace
}  // namespace backoffice::config
