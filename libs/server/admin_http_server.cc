#include "libs/server/admin_http_server.h"

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <thread>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace backoffice::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto kIdleTimeout = std::chrono::seconds(30);
constexpr std::uint32_t kMaxHeaderBytes = 8 * 1024;
constexpr std::uint64_t kMaxBodyBytes = 0;  // the admin port takes no request bodies

http::response<http::string_body> BuildResponse(const http::request<http::empty_body>& request,
                                                const AdminHandler& handler) {
  http::response<http::string_body> response;
  response.version(request.version());
  response.keep_alive(request.keep_alive());
  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    response.result(http::status::method_not_allowed);
    response.set(http::field::allow, "GET, HEAD");
    response.set(http::field::content_type, "text/plain; charset=utf-8");
    response.body() = "method not allowed\n";
  } else {
    std::string_view target = request.target();
    std::string_view path = target.substr(0, target.find('?'));
    AdminResponse answer = handler(path);
    response.result(static_cast<unsigned>(answer.status));
    response.set(http::field::content_type, answer.content_type);
    if (request.method() == http::verb::get) {
      response.body() = std::move(answer.body);
    }
  }
  response.set(http::field::cache_control, "no-store");
  response.prepare_payload();
  return response;
}

asio::awaitable<void> ServeConnection(beast::tcp_stream stream, const AdminHandler& handler) {
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::empty_body> parser;
    parser.header_limit(kMaxHeaderBytes);
    parser.body_limit(kMaxBodyBytes);
    stream.expires_after(kIdleTimeout);
    auto [read_error, bytes] =
        co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
    if (read_error) {
      break;  // closed by the peer, timed out, or malformed: nothing useful to answer
    }
    http::response<http::string_body> response = BuildResponse(parser.get(), handler);
    bool keep_alive = response.keep_alive();
    auto [write_error, written] =
        co_await http::async_write(stream, response, asio::as_tuple(asio::use_awaitable));
    if (write_error || !keep_alive) {
      break;
    }
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

class BeastAdminHttpServer final : public AdminHttpServer {
 public:
  explicit BeastAdminHttpServer(AdminHandler handler)
      : handler_(std::move(handler)),
        io_(std::make_unique<asio::io_context>(1)),
        acceptor_(std::make_unique<tcp::acceptor>(*io_)) {}

  ~BeastAdminHttpServer() override { Stop(); }

  absl::Status Bind(const std::string& address, int port) {
    beast::error_code error;
    asio::ip::address ip = asio::ip::make_address(address, error);
    if (error) {
      return absl::InvalidArgumentError(absl::StrCat("admin address '", address, "' is not an IP"));
    }
    tcp::endpoint endpoint(ip, static_cast<unsigned short>(port));
    acceptor_->open(endpoint.protocol(), error);
    if (!error) {
      acceptor_->set_option(asio::socket_base::reuse_address(true), error);
    }
    if (!error) {
      acceptor_->bind(endpoint, error);
    }
    if (!error) {
      acceptor_->listen(asio::socket_base::max_listen_connections, error);
    }
    if (error) {
      return absl::UnavailableError(
          absl::StrCat("cannot listen on admin port ", address, ":", port, ": ", error.message()));
    }
    port_ = acceptor_->local_endpoint().port();
    asio::co_spawn(*io_, Accept(), asio::detached);
    thread_ = std::thread([this] { io_->run(); });
    return absl::OkStatus();
  }

  int port() const override { return port_; }

  void Stop() override {
    if (stopped_.exchange(true)) {
      return;
    }
    io_->stop();
    if (thread_.joinable()) {
      thread_.join();
    }
    // Destroying the context destroys the suspended connection coroutines, closing their sockets.
    acceptor_.reset();
    io_.reset();
  }

 private:
  asio::awaitable<void> Accept() {
    for (;;) {
      auto [error, socket] = co_await acceptor_->async_accept(asio::as_tuple(asio::use_awaitable));
      if (error) {
        if (error == asio::error::operation_aborted) {
          co_return;
        }
        continue;  // e.g. too many open files: keep serving the connections we have
      }
      asio::co_spawn(*io_, ServeConnection(beast::tcp_stream(std::move(socket)), handler_),
                     asio::detached);
    }
  }

  AdminHandler handler_;
  std::unique_ptr<asio::io_context> io_;
  std::unique_ptr<tcp::acceptor> acceptor_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<bool> stopped_{false};
};

}  // namespace

absl::StatusOr<std::unique_ptr<AdminHttpServer>> AdminHttpServer::Start(const std::string& address,
                                                                        int port,
                                                                        AdminHandler handler) {
  auto server = std::make_unique<BeastAdminHttpServer>(std::move(handler));
  if (absl::Status bound = server->Bind(address, port); !bound.ok()) {
    return bound;
  }
  return server;
}

}  // namespace backoffice::server
