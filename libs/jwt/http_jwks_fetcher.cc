#include "libs/jwt/http_jwks_fetcher.h"

#include <arpa/inet.h>
#include <curl/curl.h>

#include <memory>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace backoffice::jwt {
namespace {

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct CurlUrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Reads one part of a parsed URL ("" if absent).
std::string UrlPart(CURLU* url, CURLUPart part) {
  char* value = nullptr;
  if (curl_url_get(url, part, &value, 0) != CURLUE_OK || value == nullptr) {
    return "";
  }
  std::string out(value);
  curl_free(value);
  return out;
}

// A literal loopback address: 127.0.0.0/8 or [::1]. Names (even "localhost") do not count.
bool IsLoopbackHost(const std::string& host) {
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  return host == "[::1]";
}

struct Body {
  std::string data;
  size_t limit = 0;
  bool too_large = false;
};

size_t WriteBody(char* data, size_t size, size_t count, void* user) {
  Body* body = static_cast<Body*>(user);
  size_t bytes = size * count;
  if (body->data.size() + bytes > body->limit) {
    body->too_large = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  body->data.append(data, bytes);
  return bytes;
}

}  // namespace

absl::StatusOr<JwksFetcherPtr> HttpJwksFetcher::Create(std::string url,
                                                       HttpJwksFetcherOptions options) {
  std::unique_ptr<CURLU, CurlUrlDeleter> parsed(curl_url());
  if (parsed == nullptr) {
    return absl::ResourceExhaustedError("curl_url failed");
  }
  // Only an absolute URL: no scheme guessing.
  if (curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return absl::InvalidArgumentError("JWKS URL cannot be parsed");
  }
  std::string scheme = absl::AsciiStrToLower(UrlPart(parsed.get(), CURLUPART_SCHEME));
  std::string host = UrlPart(parsed.get(), CURLUPART_HOST);
  if (host.empty()) {
    return absl::InvalidArgumentError("JWKS URL has no host");
  }
  bool loopback_http = false;
  if (scheme == "http") {
    if (!IsLoopbackHost(host)) {
      return absl::InvalidArgumentError("JWKS URL must be https (http only to a loopback address)");
    }
    loopback_http = true;
  } else if (scheme != "https") {
    return absl::InvalidArgumentError("JWKS URL must be https");
  }
  if (options.max_response_bytes == 0 || options.total_timeout <= absl::ZeroDuration() ||
      options.connect_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("JWKS fetcher limits must be positive");
  }
  GlobalInitOnce();
  return JwksFetcherPtr(new HttpJwksFetcher(std::move(url), loopback_http, options));
}

absl::StatusOr<std::string> HttpJwksFetcher::Fetch() {
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (curl == nullptr) {
    return absl::ResourceExhaustedError("curl_easy_init failed");
  }
  Body body;
  body.limit = options_.max_response_bytes;
  char error[CURL_ERROR_SIZE] = {};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, is_loopback_http_ ? "http" : "https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(options_.connect_timeout)));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(options_.total_timeout)));
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
                   static_cast<curl_off_t>(options_.max_response_bytes));
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");  // gzip is fine; the limit is on decoded bytes
  curl_easy_setopt(c, CURLOPT_USERAGENT, "backoffice-jwks/1");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  if (is_loopback_http_) {
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");  // a proxy must never see loopback traffic
  }
  CURLcode code = curl_easy_perform(c);
  if (body.too_large || code == CURLE_FILESIZE_EXCEEDED) {
    return absl::ResourceExhaustedError(
        absl::StrCat("JWKS response is larger than ", options_.max_response_bytes, " bytes"));
  }
  if (code == CURLE_OPERATION_TIMEDOUT) {
    return absl::DeadlineExceededError("JWKS fetch timed out");
  }
  if (code != CURLE_OK) {
    return absl::UnavailableError(
        absl::StrCat("JWKS fetch failed: ", error[0] != '\0' ? error : curl_easy_strerror(code)));
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) {
    return absl::UnavailableError(absl::StrCat("JWKS fetch answered HTTP ", status));
  }
  return std::move(body.data);
}

}  // namespace backoffice::jwt
