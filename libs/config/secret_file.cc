#include "libs/config/secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace backoffice::config {
namespace {

absl::Status ErrnoStatus(int error, absl::string_view path) {
  const std::string message = absl::StrCat("secret file ", path, ": ", std::strerror(error));
  switch (error) {
    case ENOENT:
    case ENOTDIR:
      return absl::NotFoundError(message);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(message);
    case EISDIR:
      return absl::InvalidArgumentError(message);
    default:
      return absl::InternalError(message);
  }
}

// Closes the descriptor on every return path.
class FileCloser final {
 public:
  explicit FileCloser(int fd) : fd_(fd) {}
  FileCloser(const FileCloser&) = delete;
  FileCloser& operator=(const FileCloser&) = delete;
  ~FileCloser() { ::close(fd_); }

 private:
  int fd_;
};

}  // namespace

absl::StatusOr<std::string> ReadSecretFile(std::string_view path) {
  if (path.empty()) {
    return absl::InvalidArgumentError("secret file path is empty");
  }
  const std::string path_string(path);
  const absl::string_view path_view(path_string);
  const int fd = ::open(path_string.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return ErrnoStatus(errno, path_view);
  }
  FileCloser closer(fd);

  struct stat info;
  if (::fstat(fd, &info) != 0) {
    return ErrnoStatus(errno, path_view);
  }
  if (S_ISDIR(info.st_mode)) {
    return ErrnoStatus(EISDIR, path_view);
  }

  std::string content;
  char buffer[4096];
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return ErrnoStatus(errno, path_view);
    }
    if (n == 0) {
      break;
    }
    if (content.size() + static_cast<size_t>(n) > kMaxSecretFileBytes) {
      return absl::InvalidArgumentError(absl::StrCat("secret file ", path_view, " is larger than ",
                                                     kMaxSecretFileBytes, " bytes"));
    }
    content.append(buffer, static_cast<size_t>(n));
  }

  if (absl::EndsWith(content, "\r\n")) {
    content.resize(content.size() - 2);
  } else if (absl::EndsWith(content, "\n")) {
    content.resize(content.size() - 1);
  }
  if (content.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("secret file ", path_view, " is empty"));
  }
  return content;
}

}  // namespace backoffice::config
