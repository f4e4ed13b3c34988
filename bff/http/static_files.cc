#include "bff/http/static_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "bff/http/router.h"

namespace backoffice::bff::http {
namespace {

constexpr size_t kMaxFileBytes = 64 * 1024 * 1024;
constexpr char kHttpDateFormat[] = "%a, %d %b %Y %H:%M:%S GMT";

std::optional<std::string> RealPath(const std::string& path) {
  char buffer[PATH_MAX];
  if (realpath(path.c_str(), buffer) == nullptr) {
    return std::nullopt;
  }
  return std::string(buffer);
}

std::string_view Extension(std::string_view name) {
  size_t dot = name.rfind('.');
  return dot == std::string_view::npos ? std::string_view() : name.substr(dot + 1);
}

bool ReadWholeFile(const std::string& path, const struct stat& info, std::string& out) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return false;
  }
  out.resize(static_cast<size_t>(info.st_size));
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = read(fd, out.data() + done, out.size() - done);
    if (n <= 0) {
      close(fd);
      return false;
    }
    done += static_cast<size_t>(n);
  }
  close(fd);
  return true;
}

// True when `header` (an If-None-Match list) names `etag`, weakly compared, or is "*".
bool EtagMatches(std::string_view header, std::string_view etag) {
  for (absl::string_view part :
       absl::StrSplit(absl::string_view(header.data(), header.size()), ',')) {
    absl::string_view tag = absl::StripAsciiWhitespace(part);
    if (tag == "*") {
      return true;
    }
    if (absl::StartsWith(tag, "W/")) {
      tag.remove_prefix(2);
    }
    if (tag == absl::string_view(etag.data(), etag.size())) {
      return true;
    }
  }
  return false;
}

}  // namespace

StaticFiles::StaticFiles(std::string root) {
  if (root.empty()) {
    return;
  }
  std::optional<std::string> real = RealPath(root);
  struct stat info;
  if (real.has_value() && stat(real->c_str(), &info) == 0 && S_ISDIR(info.st_mode)) {
    root_ = *real;
  }
}

bool StaticFiles::IsHashedAsset(std::string_view file_name) {
  size_t dot = file_name.rfind('.');
  if (dot == std::string_view::npos) {
    return false;
  }
  std::string_view stem = file_name.substr(0, dot);
  size_t separator = stem.find_last_of("-.");
  if (separator == std::string_view::npos) {
    return false;
  }
  std::string_view hash = stem.substr(separator + 1);
  if (hash.size() < 8 || hash.size() > 64) {
    return false;
  }
  bool digit = false, upper = false, lower = false;
  for (char c : hash) {
    if (absl::ascii_isdigit(c)) {
      digit = true;
    } else if (absl::ascii_isupper(c)) {
      upper = true;
    } else if (absl::ascii_islower(c)) {
      lower = true;
    } else if (c != '_') {
      return false;
    }
  }
  // "component" is a word, not a hash: a hash mixes digits, or upper and lower case.
  return digit || (upper && lower);
}

std::string_view StaticFiles::ContentTypeFor(std::string_view file_name) {
  std::string extension = absl::AsciiStrToLower(
      absl::string_view(Extension(file_name).data(), Extension(file_name).size()));
  static const std::pair<std::string_view, std::string_view> kTypes[] = {
      {"html", "text/html; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"json", "application/json"},
      {"map", "application/json"},
      {"webmanifest", "application/manifest+json"},
      {"txt", "text/plain; charset=utf-8"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"webp", "image/webp"},
      {"avif", "image/avif"},
      {"ico", "image/x-icon"},
      {"woff", "font/woff"},
      {"woff2", "font/woff2"},
      {"ttf", "font/ttf"},
      {"otf", "font/otf"},
      {"wasm", "application/wasm"},
      {"pdf", "application/pdf"},
      {"xml", "application/xml"},
  };
  for (const auto& [ext, type] : kTypes) {
    if (ext == extension) {
      return type;
    }
  }
  return "application/octet-stream";
}

std::optional<HttpResponse> StaticFiles::Serve(const HttpRequest& request) const {
  if (root_.empty()) {
    return std::nullopt;
  }
  std::string_view path = request.path;
  if (path.empty() || path.front() != '/') {
    return std::nullopt;
  }
  std::vector<std::string> segments;
  std::string_view rest = path.substr(1);
  if (!rest.empty()) {
    for (absl::string_view raw : absl::StrSplit(absl::string_view(rest.data(), rest.size()), '/')) {
      std::optional<std::string> segment = PercentDecode(std::string_view(raw.data(), raw.size()));
      if (!segment.has_value() || segment->empty() || segment->front() == '.' ||
          segment->find_first_of("/\\") != std::string::npos) {
        return std::nullopt;
      }
      segments.push_back(std::move(*segment));
    }
  }
  std::string relative = absl::StrJoin(segments, "/");
  if (relative.empty()) {
    return ServeFile(request, "index.html");
  }
  if (std::optional<HttpResponse> file = ServeFile(request, relative); file.has_value()) {
    return file;
  }
  if (segments.back().find('.') == std::string::npos) {
    return ServeFile(request, "index.html");  // a client-side route of the SPA
  }
  return std::nullopt;
}

std::optional<HttpResponse> StaticFiles::ServeFile(const HttpRequest& request,
                                                   const std::string& relative) const {
  std::optional<std::string> real = RealPath(absl::StrCat(root_, "/", relative));
  if (!real.has_value() || real->size() <= root_.size() + 1 ||
      real->compare(0, root_.size() + 1, root_ + "/") != 0) {
    return std::nullopt;  // missing, or a symlink that leads out of the folder
  }
  struct stat info;
  if (stat(real->c_str(), &info) != 0 || !S_ISREG(info.st_mode) ||
      static_cast<size_t>(info.st_size) > kMaxFileBytes) {
    return std::nullopt;
  }
  std::string file_name =
      relative.substr(relative.rfind('/') == std::string::npos ? 0 : relative.rfind('/') + 1);
  int64_t mtime_ns = static_cast<int64_t>(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec;
  std::string etag = absl::StrFormat("\"%x-%x\"", static_cast<uint64_t>(info.st_size), mtime_ns);
  absl::Time modified = absl::FromUnixSeconds(info.st_mtim.tv_sec);
  std::string last_modified = absl::FormatTime(kHttpDateFormat, modified, absl::UTCTimeZone());

  HttpResponse response;
  response.headers.Set("ETag", etag);
  response.headers.Set("Last-Modified", last_modified);
  response.headers.Set("Cache-Control", IsHashedAsset(file_name)
                                            ? "public, max-age=31536000, immutable"
                                            : "no-cache");
  std::string_view if_none_match = request.headers.Get("if-none-match");
  bool not_modified = false;
  if (!if_none_match.empty()) {
    not_modified = EtagMatches(if_none_match, etag);
  } else if (std::string_view since = request.headers.Get("if-modified-since"); !since.empty()) {
    absl::Time since_time;
    std::string error;
    if (absl::ParseTime(kHttpDateFormat, std::string(since), absl::UTCTimeZone(), &since_time,
                        &error)) {
      not_modified = modified <= since_time;
    }
  }
  if (not_modified) {
    response.status = 304;
    return response;
  }
  if (!ReadWholeFile(*real, info, response.body)) {
    return std::nullopt;
  }
  response.status = 200;
  response.headers.Set("Content-Type", std::string(ContentTypeFor(file_name)));
  return response;
}

}  // namespace backoffice::bff::http
