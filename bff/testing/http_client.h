#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace backoffice::bff::testing {

/// One parsed HTTP response.
struct TestResponse {
  int status = 0;
  /// Header fields in order, names lower-cased.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool keep_alive = true;

  /// The first value of header `name` (lower-case), or "".
  std::string Header(const std::string& name) const;
  /// Whether header `name` is present.
  bool Has(const std::string& name) const;
};

/// A blocking HTTP/1.1 test client over a plain POSIX socket, so a test can send anything
/// (malformed requests, trickled headers) and never hangs: every read gives up after
/// `read_timeout_seconds` and reports the connection as closed.
class TestHttpClient {
 public:
  explicit TestHttpClient(int port, int read_timeout_seconds = 20);
  ~TestHttpClient();
  TestHttpClient(const TestHttpClient&) = delete;
  TestHttpClient& operator=(const TestHttpClient&) = delete;

  /// False when the connection was refused.
  bool connected() const { return fd_ >= 0; }

  /// Writes raw bytes; false on error (e.g. the server closed the connection).
  bool SendRaw(const std::string& bytes);

  /// Reads one response; nullopt when the connection closed (or timed out) first.
  std::optional<TestResponse> Read(bool head = false);

  /// Sends a request (adding Host and Content-Length) and reads the response.
  std::optional<TestResponse> Request(
      const std::string& method, const std::string& target,
      const std::vector<std::pair<std::string, std::string>>& headers = {},
      const std::string& body = "");

  /// Shortcut for a GET.
  std::optional<TestResponse> Get(
      const std::string& target,
      const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return Request("GET", target, headers);
  }

  /// Reads until the server closes the connection; true if it did (false on timeout or data).
  bool WaitForClose();

 private:
  int fd_ = -1;
  std::string buffer_;
};

/// One GET on a fresh connection.
std::optional<TestResponse> GetOnce(
    int port, const std::string& target,
    const std::vector<std::pair<std::string, std::string>>& headers = {});

}  // namespace backoffice::bff::testing
