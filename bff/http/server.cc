#include "bff/http/server.h"

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <ctime>
#include <exception>
#include <thread>
#include <unordered_set>

#include "absl/base/thread_annotations.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "bff/http/gateway.h"
#include "bff/http/string_views.h"
#include "libs/log/log.h"

namespace backoffice::bff::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr size_t kReadChunk = 8192;

std::chrono::steady_clock::duration ToChrono(absl::Duration d) {
  return std::chrono::nanoseconds(absl::ToInt64Nanoseconds(d));
}

std::string_view ToStd(beast::string_view text) { return {text.data(), text.size()}; }
using bff::ToAbsl;

// An RFC 9110 IMF-fixdate for the Date header, formatted once per second per thread.
const std::string& HttpDate() {
  thread_local std::time_t cached_second = 0;
  thread_local std::string cached;
  std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    cached_second = now;
    cached =
        absl::FormatTime("%a, %d %b %Y %H:%M:%S GMT", absl::FromTimeT(now), absl::UTCTimeZone());
  }
  return cached;
}

bool IsParseError(const beast::error_code& error) {
  static const boost::system::error_category& kHttpCategory =
      bhttp::make_error_code(bhttp::error::bad_method).category();
  return error.category() == kHttpCategory && error != bhttp::error::end_of_stream &&
         error != bhttp::error::partial_message;
}

// Trusted proxy ranges.
class ProxyList {
 public:
  absl::Status Add(const std::string& text) {
    beast::error_code error;
    if (text.find('/') != std::string::npos) {
      if (text.find(':') != std::string::npos) {
        v6_.push_back(asio::ip::make_network_v6(text, error));
      } else {
        v4_.push_back(asio::ip::make_network_v4(text, error));
      }
    } else {
      asio::ip::address address = asio::ip::make_address(text, error);
      if (!error) {
        if (address.is_v4()) {
          v4_.push_back(asio::ip::network_v4(address.to_v4(), 32));
        } else {
          v6_.push_back(asio::ip::network_v6(address.to_v6(), 128));
        }
      }
    }
    if (error) {
      return absl::InvalidArgumentError(
          absl::StrCat("trusted proxy '", text, "' is not an IP address or CIDR range"));
    }
    return absl::OkStatus();
  }

  bool Contains(const asio::ip::address& address) const {
    if (address.is_v4()) {
      for (const auto& network : v4_) {
        if (asio::ip::network_v4(address.to_v4(), 32).is_subnet_of(network) ||
            network.address() == address.to_v4()) {
          return true;
        }
      }
    } else if (address.is_v6()) {
      if (address.to_v6().is_v4_mapped()) {
        return Contains(asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()));
      }
      for (const auto& network : v6_) {
        if (asio::ip::network_v6(address.to_v6(), 128).is_subnet_of(network) ||
            network.address() == address.to_v6()) {
          return true;
        }
      }
    }
    return false;
  }

  bool empty() const { return v4_.empty() && v6_.empty(); }

 private:
  std::vector<asio::ip::network_v4> v4_;
  std::vector<asio::ip::network_v6> v6_;
};

// What Shutdown needs to reach a connection; touched only on the connection's own thread.
struct Connection {
  asio::io_context* context = nullptr;
  beast::tcp_stream* stream = nullptr;  // null once the session ended
  bool busy = false;                    // between the first byte of a request and its answer
};

class BeastHttpServer final : public HttpServer {
 public:
  BeastHttpServer(const ServerOptions& options, Gateway& gateway)
      : options_(options), gateway_(gateway) {}

  ~BeastHttpServer() override {
    Shutdown(absl::ZeroDuration());
    // Destroying the contexts destroys suspended sessions, closing their sockets.
    acceptor_.reset();
    contexts_.clear();
  }

  absl::Status Bind() {
    for (const std::string& proxy : options_.trusted_proxies) {
      if (absl::Status added = proxies_.Add(proxy); !added.ok()) {
        return added;
      }
    }
    int threads = options_.io_threads > 0
                      ? options_.io_threads
                      : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    for (int i = 0; i < threads; ++i) {
      contexts_.push_back(std::make_unique<asio::io_context>(1));
    }
    acceptor_ = std::make_unique<tcp::acceptor>(*contexts_[0]);
    beast::error_code error;
    asio::ip::address ip = asio::ip::make_address(options_.address, error);
    if (error) {
      return absl::InvalidArgumentError(
          absl::StrCat("bind address '", options_.address, "' is not an IP address"));
    }
    tcp::endpoint endpoint(ip, static_cast<unsigned short>(options_.port));
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
      return absl::UnavailableError(absl::StrCat("cannot listen on ", options_.address, ":",
                                                 options_.port, ": ", error.message()));
    }
    port_ = acceptor_->local_endpoint().port();
    asio::co_spawn(*contexts_[0], Accept(), asio::detached);
    for (auto& context : contexts_) {
      guards_.push_back(asio::make_work_guard(*context));
      threads_.emplace_back([&io = *context] { io.run(); });
    }
    return absl::OkStatus();
  }

  int port() const override { return port_; }

  size_t open_connections() const override {
    absl::MutexLock lock(&mutex_);
    return connections_.size();
  }

  bool Shutdown(absl::Duration grace) override {
    if (shut_down_.exchange(true)) {
      return clean_;
    }
    gateway_.SetDraining();
    draining_.store(true);
    if (!contexts_.empty()) {
      asio::post(*contexts_[0], [this] {
        beast::error_code ignored;
        acceptor_->close(ignored);
      });
    }
    std::vector<std::shared_ptr<Connection>> snapshot;
    {
      absl::MutexLock lock(&mutex_);
      snapshot.assign(connections_.begin(), connections_.end());
    }
    for (const std::shared_ptr<Connection>& connection : snapshot) {
      asio::post(*connection->context, [connection] {
        if (connection->stream != nullptr && !connection->busy) {
          beast::error_code ignored;
          connection->stream->socket().cancel(ignored);  // wakes the idle read, which closes
        }
      });
    }
    {
      absl::MutexLock lock(&mutex_);
      auto all_closed = [this]()
                            ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) { return connections_.empty(); };
      clean_ = mutex_.AwaitWithTimeout(absl::Condition(&all_closed), grace);
    }
    for (auto& guard : guards_) {
      guard.reset();
    }
    for (auto& context : contexts_) {
      context->stop();
    }
    for (std::thread& thread : threads_) {
      if (thread.joinable()) {
        thread.join();
      }
    }
    return clean_;
  }

 private:
  asio::awaitable<void> Accept() {
    size_t next = 0;
    for (;;) {
      asio::io_context& target = *contexts_[next++ % contexts_.size()];
      auto [error, socket] = co_await acceptor_->async_accept(target, kUseTuple);
      if (error) {
        if (error == asio::error::operation_aborted || !acceptor_->is_open()) {
          co_return;
        }
        continue;  // e.g. too many open files: keep serving the connections we have
      }
      if (draining_.load()) {
        continue;  // the socket closes as it goes out of scope
      }
      auto connection = std::make_shared<Connection>();
      connection->context = &target;
      {
        absl::MutexLock lock(&mutex_);
        connections_.insert(connection);
      }
      asio::co_spawn(target, Session(connection, std::move(socket)),
                     [this, connection](std::exception_ptr failure) {
                       if (failure) {
                         try {
                           std::rethrow_exception(failure);
                         } catch (const std::exception& error) {
                           log::Error("http connection failed", {{"error", error.what()}});
                         } catch (...) {
                           log::Error("http connection failed", {{"error", "unknown exception"}});
                         }
                       }
                       connection->stream = nullptr;
                       absl::MutexLock lock(&mutex_);
                       connections_.erase(connection);
                     });
    }
  }

  // The request as the gateway sees it, from the parsed header.
  HttpRequest ToRequest(const bhttp::request_parser<bhttp::string_body>& parser,
                        const asio::ip::address& peer) const {
    const auto& header = parser.get();
    HttpRequest request;
    request.method = std::string(ToStd(header.method_string()));
    request.target = std::string(ToStd(header.target()));
    size_t question = request.target.find('?');
    request.path = request.target.substr(0, question);
    if (question != std::string::npos) {
      request.query = request.target.substr(question + 1);
    }
    for (const auto& field : header) {
      request.headers.Add(absl::AsciiStrToLower(ToAbsl(ToStd(field.name_string()))),
                          std::string(ToStd(field.value())));
    }
    request.client_address = peer.to_string();
    // Identity is the gateway's business: a client may not claim one.
    request.headers.Remove("x-user-id");
    bool trusted = !proxies_.empty() && proxies_.Contains(peer);
    if (trusted) {
      // The client is the right-most X-Forwarded-For hop that is not one of our proxies.
      std::vector<std::string> hops;
      for (std::string_view value : request.headers.GetAll("x-forwarded-for")) {
        for (absl::string_view hop :
             absl::StrSplit(absl::string_view(value.data(), value.size()), ',')) {
          hops.emplace_back(absl::StripAsciiWhitespace(hop));
        }
      }
      for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
        beast::error_code error;
        asio::ip::address hop = asio::ip::make_address(*it, error);
        if (error) {
          break;
        }
        request.client_address = hop.to_string();
        if (!proxies_.Contains(hop)) {
          break;
        }
      }
    } else {
      request.headers.RemovePrefix("x-forwarded-");
      request.headers.Remove("forwarded");
      request.headers.Remove("x-real-ip");
    }
    return request;
  }

  asio::awaitable<bool> Write(beast::tcp_stream& stream, HttpResponse response, unsigned version,
                              bool keep_alive, bool head) {
    bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(response.status), version};
    for (const auto& [name, value] : response.headers.fields()) {
      out.insert(name, value);
    }
    out.set(bhttp::field::date, HttpDate());
    out.keep_alive(keep_alive);
    bool no_body = response.status == 204 || response.status == 304 || response.status < 200;
    if (head || no_body) {
      if (!no_body) {
        out.content_length(response.body.size());
      }
    } else {
      out.body() = std::move(response.body);
      out.prepare_payload();
    }
    stream.expires_after(ToChrono(options_.write_timeout));
    auto [error, written] = co_await bhttp::async_write(stream, out, kUseTuple);
    co_return !error;
  }

  asio::awaitable<void> WriteProblem(beast::tcp_stream& stream, HttpRequest& request, int status,
                                     std::string detail) {
    HttpResponse response = gateway_.Reject(request, MakeProblem(status, std::move(detail)));
    co_await Write(stream, std::move(response), 11, false, false);
  }

  asio::awaitable<void> Session(std::shared_ptr<Connection> connection, tcp::socket socket) {
    beast::error_code ignored;
    asio::ip::address peer = socket.remote_endpoint(ignored).address();
    beast::tcp_stream stream(std::move(socket));
    connection->stream = &stream;
    beast::flat_buffer buffer;
    while (!draining_.load()) {
      connection->busy = false;
      if (buffer.size() == 0) {
        stream.expires_after(ToChrono(options_.idle_timeout));
        auto [error, n] = co_await stream.async_read_some(buffer.prepare(kReadChunk), kUseTuple);
        if (error) {
          break;  // closed, idle too long, or cancelled by Shutdown
        }
        buffer.commit(n);
      }
      connection->busy = true;

      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(options_.max_header_bytes));
      parser.body_limit(boost::none);  // checked per route once the headers are in
      stream.expires_after(ToChrono(options_.header_timeout));
      auto [header_error, header_bytes] =
          co_await bhttp::async_read_header(stream, buffer, parser, kUseTuple);
      if (header_error) {
        HttpRequest request;
        request.client_address = peer.to_string();
        if (header_error == bhttp::error::header_limit) {
          co_await WriteProblem(stream, request, 431, "The request headers are too large.");
        } else if (IsParseError(header_error)) {
          co_await WriteProblem(stream, request, 400, "The request is not valid HTTP/1.1.");
        }
        break;  // timed out (slow headers), closed, or answered above
      }

      HttpRequest request = ToRequest(parser, peer);
      size_t limit = gateway_.BodyLimitFor(request.method, request.path, options_.max_body_bytes);
      if (parser.content_length().has_value() && *parser.content_length() > limit) {
        co_await WriteProblem(stream, request, 413,
                              absl::StrCat("The request body is larger than ", limit, " bytes."));
        break;
      }
      parser.body_limit(limit);
      if (!parser.is_done()) {
        if (absl::EqualsIgnoreCase(ToAbsl(request.headers.Get("expect")), "100-continue")) {
          static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
          stream.expires_after(ToChrono(options_.write_timeout));
          auto [error, n] = co_await asio::async_write(
              stream, asio::buffer(kContinue.data(), kContinue.size()), kUseTuple);
          if (error) {
            break;
          }
        }
        stream.expires_after(ToChrono(options_.body_timeout));
        auto [body_error, body_bytes] =
            co_await bhttp::async_read(stream, buffer, parser, kUseTuple);
        if (body_error) {
          if (body_error == bhttp::error::body_limit) {
            co_await WriteProblem(
                stream, request, 413,
                absl::StrCat("The request body is larger than ", limit, " bytes."));
          } else if (IsParseError(body_error)) {
            co_await WriteProblem(stream, request, 400, "The request body is malformed.");
          }
          break;
        }
      }
      request.body = std::move(parser.get().body());
      bool keep_alive = parser.get().keep_alive();
      unsigned version = parser.get().version();
      bool head = request.method == "HEAD";
      HttpResponse response = co_await gateway_.Handle(request);
      keep_alive = keep_alive && !draining_.load();
      bool written = co_await Write(stream, std::move(response), version, keep_alive, head);
      if (!written || !keep_alive) {
        break;
      }
    }
    connection->stream = nullptr;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.socket().close(ignored);
  }

  const ServerOptions options_;
  Gateway& gateway_;
  ProxyList proxies_;
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
  std::vector<std::thread> threads_;
  std::unique_ptr<tcp::acceptor> acceptor_;
  int port_ = 0;
  std::atomic<bool> draining_{false};
  std::atomic<bool> shut_down_{false};
  bool clean_ = true;
  mutable absl::Mutex mutex_;
  std::unordered_set<std::shared_ptr<Connection>> connections_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const ServerOptions& options,
                                                              Gateway& gateway) {
  auto server = std::make_unique<BeastHttpServer>(options, gateway);
  if (absl::Status bound = server->Bind(); !bound.ok()) {
    return bound;
  }
  return server;
}

}  // namespace backoffice::bff::http
