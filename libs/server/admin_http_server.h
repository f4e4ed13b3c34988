#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace backoffice::server {

/// What the admin port answers for one GET.
struct AdminResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

/// Maps a request path (without query) to a response. Called on the server's own thread.
using AdminHandler = std::function<AdminResponse(std::string_view path)>;

/// A small HTTP/1.1 server for the admin port (/metrics, /healthz, /readyz). It runs one I/O
/// thread, keeps connections alive, answers only GET and HEAD, limits request size and closes
/// connections that stay idle. Beast stays inside the .cc file.
///
///   absl::StatusOr<AdminHttpServerPtr> admin = AdminHttpServer::Start("127.0.0.1", 0, handler);
///   int port = (*admin)->port();
class AdminHttpServer {
 public:
  virtual ~AdminHttpServer() = default;

  /// Binds and starts serving; fails if the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<AdminHttpServer>> Start(const std::string& address,
                                                                int port, AdminHandler handler);

  /// The bound port (useful when started on port 0).
  virtual int port() const = 0;

  /// Stops accepting, closes connections and joins the thread. Idempotent.
  virtual void Stop() = 0;
};

using AdminHttpServerPtr = std::unique_ptr<AdminHttpServer>;

}  // namespace backoffice::server
