#include "tests/support/service_process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"

namespace backoffice::tests {

std::string TestTempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return absl::StrCat(dir != nullptr ? dir : "/tmp", "/", name, "-", getpid(), "-",
                      absl::ToUnixNanos(absl::Now()));
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
  socklen_t size = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  close(fd);
  return ntohs(address.sin_port);
}

std::string WriteTempFile(const std::string& name, const std::string& content) {
  std::string path = TestTempPath(name);
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

boost::json::object FindLogLine(const std::string& output, const std::string& msg) {
  for (absl::string_view line : absl::StrSplit(output, '\n', absl::SkipEmpty())) {
    boost::system::error_code error;
    boost::json::value parsed =
        boost::json::parse(boost::json::string_view(line.data(), line.size()), error);
    if (!error && parsed.is_object() && parsed.as_object().contains("msg") &&
        parsed.as_object().at("msg") == msg.c_str()) {
      return parsed.as_object();
    }
  }
  return {};
}

boost::json::object WaitForLogLine(ChildProcess& process, const std::string& name,
                                   const std::string& msg) {
  for (int i = 0; i < 3000; ++i) {
    boost::json::object line = FindLogLine(process.Output(), msg);
    if (!line.empty()) {
      return line;
    }
    if (process.WaitForExit(absl::Milliseconds(10)).has_value()) {
      FAIL(name << " exited before logging \"" << msg << "\":\n" << process.Output());
    }
  }
  FAIL(name << " did not log \"" << msg << "\" in time:\n" << process.Output());
  return {};
}

boost::json::object WaitForServiceStart(ChildProcess& process, const std::string& name) {
  return WaitForLogLine(process, name, "service started");
}

}  // namespace backoffice::tests
