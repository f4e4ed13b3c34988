#include "bench/bff/http_client.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <utility>

#include "absl/strings/str_cat.h"

namespace backoffice::bench {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;

// Bounds blocking sends and receives on the socket (Beast's own timeouts are for async calls).
void SetTimeouts(asio::ip::tcp::socket& socket, absl::Duration timeout) {
  timeval tv = absl::ToTimeval(timeout);
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

}  // namespace

HttpClient::HttpClient(std::string host, int port, absl::Duration timeout)
    : host_(std::move(host)), port_(port), timeout_(timeout) {}

absl::Status HttpClient::Connect() {
  boost::system::error_code error;
  asio::ip::address address = asio::ip::make_address(host_, error);
  if (error) {
    return absl::InvalidArgumentError(absl::StrCat("not a numeric address: ", host_));
  }
  socket_.emplace(io_);
  socket_->connect(asio::ip::tcp::endpoint(address, static_cast<unsigned short>(port_)), error);
  if (error) {
    socket_.reset();
    return absl::UnavailableError(
        absl::StrCat("connect to ", host_, ":", port_, ": ", error.message()));
  }
  socket_->set_option(asio::ip::tcp::no_delay(true));
  SetTimeouts(*socket_, timeout_);
  buffer_.clear();
  return absl::OkStatus();
}

absl::StatusOr<HttpResponse> HttpClient::SendOnce(const Request& request) {
  if (!socket_.has_value()) {
    if (absl::Status connected = Connect(); !connected.ok()) {
      return connected;
    }
  }
  boost::system::error_code error;
  http::write(*socket_, request, error);
  if (error) {
    socket_.reset();
    return absl::UnavailableError(absl::StrCat("send: ", error.message()));
  }
  http::response<http::string_body> response;
  http::read(*socket_, buffer_, response, error);
  if (error) {
    socket_.reset();
    return absl::UnavailableError(absl::StrCat("receive: ", error.message()));
  }
  if (!response.keep_alive()) {
    socket_.reset();
  }
  return HttpResponse{.status = static_cast<int>(response.result_int()),
                      .body = std::move(response.body())};
}

absl::StatusOr<HttpResponse> HttpClient::Send(const Request& request) {
  const bool reused = socket_.has_value();
  absl::StatusOr<HttpResponse> response = SendOnce(request);
  if (!response.ok() && reused) {
    // The server may have closed the idle connection: once more on a new one.
    response = SendOnce(request);
  }
  return response;
}

absl::StatusOr<HttpResponse> HttpClient::Get(std::string_view target, std::string_view bearer) {
  Request request(http::verb::get, target, 11);
  request.set(http::field::host, host_);
  if (!bearer.empty()) {
    request.set(http::field::authorization, "Bearer " + std::string(bearer));
  }
  request.keep_alive(true);
  return Send(request);
}

absl::StatusOr<HttpResponse> HttpClient::PostJson(std::string_view target, std::string_view json) {
  Request request(http::verb::post, target, 11);
  request.set(http::field::host, host_);
  request.set(http::field::content_type, "application/json");
  request.body() = std::string(json);
  request.prepare_payload();
  request.keep_alive(true);
  return Send(request);
}

}  // namespace backoffice::bench
