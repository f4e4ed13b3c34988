// A blocking HTTP/1.1 client on one kept-alive loopback connection, for benchmark drivers that
// send requests one after another and need each answer's exact time (bench/bff/revoke_latency).
// Reconnects when the server closed the connection; not thread-safe (one per thread).
//
//   HttpClient bff("127.0.0.1", 8080, absl::Seconds(5));
//   absl::StatusOr<HttpResponse> r = bff.Get("/api/users/123", token);
//   if (r.ok() && r->status == 200) { ... }
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace backoffice::bench {

/// A response's status and body.
struct HttpResponse {
  int status = 0;
  std::string body;
};

class HttpClient final {
 public:
  /// Connects lazily to host:port (a numeric address); `timeout` bounds each send and receive.
  HttpClient(std::string host, int port, absl::Duration timeout);

  /// GET `target`; `bearer`, when not empty, is sent as "Authorization: Bearer <bearer>".
  absl::StatusOr<HttpResponse> Get(std::string_view target, std::string_view bearer);

  /// POST `target` with a JSON body.
  absl::StatusOr<HttpResponse> PostJson(std::string_view target, std::string_view json);

 private:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;

  absl::StatusOr<HttpResponse> Send(const Request& request);
  absl::StatusOr<HttpResponse> SendOnce(const Request& request);
  absl::Status Connect();

  const std::string host_;
  const int port_;
  const absl::Duration timeout_;
  boost::asio::io_context io_;
  std::optional<boost::asio::ip::tcp::socket> socket_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace backoffice::bench
