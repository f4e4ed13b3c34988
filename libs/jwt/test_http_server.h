#pragma once

// A tiny HTTP/1.1 server for tests: plain sockets on 127.0.0.1, an OS-chosen port, one thread,
// one request per connection.

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace backoffice::jwt::testing {

/// A complete HTTP response with Content-Length and Connection: close.
std::string HttpResponse(int status, std::string_view body,
                         std::string_view content_type = "application/json");

class TestHttpServer {
 public:
  /// Gets the raw request head and returns the raw response bytes to send, or nullopt to send
  /// nothing and keep the connection open until the server stops (a hung server).
  using Handler = std::function<std::optional<std::string>(const std::string& request)>;

  /// Binds 127.0.0.1 on a free port and starts serving. Throws if it cannot bind.
  explicit TestHttpServer(Handler handler);
  ~TestHttpServer();

  int port() const { return port_; }
  /// "http://127.0.0.1:<port><path>".
  std::string Url(std::string_view path) const;
  /// Requests received so far.
  int requests() const { return requests_.load(); }

 private:
  void Serve();

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::vector<int> hung_;
  std::thread thread_;
};

}  // namespace backoffice::jwt::testing
