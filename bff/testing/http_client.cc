#include "bff/testing/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>

#include "absl/strings/ascii.h"

namespace backoffice::bff::testing {

namespace bhttp = boost::beast::http;

std::string TestResponse::Header(const std::string& name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) {
      return value;
    }
  }
  return "";
}

bool TestResponse::Has(const std::string& name) const {
  for (const auto& field : headers) {
    if (field.first == name) {
      return true;
    }
  }
  return false;
}

TestHttpClient::TestHttpClient(int port, int read_timeout_seconds) {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd_);
    fd_ = -1;
    return;
  }
  timeval timeout{read_timeout_seconds, 0};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
}

TestHttpClient::~TestHttpClient() {
  if (fd_ >= 0) {
    close(fd_);
  }
}

bool TestHttpClient::SendRaw(const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n <= 0) {
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

std::optional<TestResponse> TestHttpClient::Read(bool head) {
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  parser.skip(head);
  for (;;) {
    if (!buffer_.empty()) {
      boost::beast::error_code error;
      size_t used = parser.put(boost::asio::buffer(buffer_), error);
      if (error == bhttp::error::need_more) {
        error = {};
      }
      if (error) {
        return std::nullopt;
      }
      buffer_.erase(0, used);
      if (parser.is_done()) {
        break;
      }
      if (used > 0) {
        continue;
      }
    }
    char chunk[16384];
    ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) {
      if (n == 0 && parser.got_some() && !parser.is_done()) {
        boost::beast::error_code error;
        parser.put_eof(error);
        if (!error && parser.is_done()) {
          break;
        }
      }
      return std::nullopt;
    }
    buffer_.append(chunk, static_cast<size_t>(n));
  }
  const auto& message = parser.get();
  TestResponse response;
  response.status = static_cast<int>(message.result_int());
  for (const auto& field : message) {
    std::string name(field.name_string().data(), field.name_string().size());
    response.headers.emplace_back(absl::AsciiStrToLower(name),
                                  std::string(field.value().data(), field.value().size()));
  }
  response.body = message.body();
  response.keep_alive = message.keep_alive();
  return response;
}

std::optional<TestResponse> TestHttpClient::Request(
    const std::string& method, const std::string& target,
    const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body) {
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& [name, value] : headers) {
    request += name + ": " + value + "\r\n";
  }
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  request += "\r\n" + body;
  // A server may answer (413) and stop reading before the body is all sent: read anyway.
  SendRaw(request);
  return Read(method == "HEAD");
}

bool TestHttpClient::WaitForClose() {
  char chunk[4096];
  for (;;) {
    ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
    if (n == 0) {
      return true;
    }
    if (n < 0) {
      return errno == ECONNRESET;
    }
  }
}

std::optional<TestResponse> GetOnce(
    int port, const std::string& target,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  TestHttpClient client(port);
  return client.Get(target, headers);
}

}  // namespace backoffice::bff::testing
