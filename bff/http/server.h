#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace backoffice::bff::http {

class Gateway;

/// How the HTTP server listens and what it tolerates from clients.
struct ServerOptions {
  std::string address = "127.0.0.1";
  int port = 8080;
  /// I/O threads, one io_context each; 0 means one per core.
  int io_threads = 0;
  /// Request line plus header fields; more answers 431 and closes.
  size_t max_header_bytes = 16 * 1024;
  /// Default request body limit (a route may raise it); more answers 413 and closes.
  size_t max_body_bytes = 1 << 20;
  /// From the first byte of a request to the end of its headers (slowloris guard).
  absl::Duration header_timeout = absl::Seconds(10);
  /// For the body once the headers are in.
  absl::Duration body_timeout = absl::Seconds(30);
  /// Between requests on a kept-alive connection.
  absl::Duration idle_timeout = absl::Seconds(60);
  /// For writing one response.
  absl::Duration write_timeout = absl::Seconds(30);
  /// Peers whose X-Forwarded-For / X-Forwarded-* headers are believed: IPs or CIDR ranges
  /// ("10.0.0.0/8"). From anyone else those headers are removed.
  std::vector<std::string> trusted_proxies;
};

/// The BFF's HTTP/1.1 server: Boost.Beast with Asio C++20 coroutines, one io_context per I/O
/// thread, connections spread round-robin from one acceptor. It reads each request (with header
/// and body limits and timeouts), hands it to the Gateway and writes the answer, keeping the
/// connection alive when the client allows. Beast stays inside server.cc.
///
///   absl::StatusOr<std::unique_ptr<HttpServer>> server = HttpServer::Start(options, gateway);
///   ... WaitForTerminationSignal();
///   (*server)->Shutdown(absl::Seconds(20));
class HttpServer {
 public:
  virtual ~HttpServer() = default;

  /// Binds and starts the I/O threads. `gateway` must outlive the server. Fails on an invalid
  /// address or trusted proxy, or when the port cannot be bound.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(const ServerOptions& options,
                                                           Gateway& gateway);

  /// The bound port (useful with port 0).
  virtual int port() const = 0;

  /// Graceful stop: readiness turns false, the listener closes (new connections are refused),
  /// idle keep-alive connections close, requests in flight finish and their connections close;
  /// after `grace` whatever is left is cut. Then the I/O threads stop and are joined. Returns
  /// true when everything finished within the grace period. Idempotent.
  virtual bool Shutdown(absl::Duration grace) = 0;

  /// Connections open now (for tests and metrics).
  virtual size_t open_connections() const = 0;
};

using HttpServerPtr = std::unique_ptr<HttpServer>;

}  // namespace backoffice::bff::http
