#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <string>

namespace backoffice::server::testing {

/// A blocking HTTP/1.1 client for tests: one connection, any number of requests on it.
class TestHttpClient {
 public:
  explicit TestHttpClient(int port) : socket_(io_) {
    boost::asio::ip::tcp::endpoint endpoint(boost::asio::ip::make_address("127.0.0.1"),
                                            static_cast<unsigned short>(port));
    socket_.connect(endpoint);
  }

  /// Sends one request and reads the answer; throws boost::system::system_error on I/O errors.
  boost::beast::http::response<boost::beast::http::string_body> Send(
      boost::beast::http::verb method, const std::string& target,
      const std::string& extra_header_value = "") {
    boost::beast::http::request<boost::beast::http::string_body> request(method, target, 11);
    request.set(boost::beast::http::field::host, "127.0.0.1");
    if (!extra_header_value.empty()) {
      request.set("x-test", extra_header_value);
    }
    request.prepare_payload();
    boost::beast::http::write(socket_, request);
    boost::beast::http::response<boost::beast::http::string_body> response;
    boost::beast::http::read(socket_, buffer_, response);
    return response;
  }

  boost::beast::http::response<boost::beast::http::string_body> Get(const std::string& target) {
    return Send(boost::beast::http::verb::get, target);
  }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace backoffice::server::testing
