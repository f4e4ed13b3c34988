#ifndef BACKOFFICE_LIBS_CONFIG_SECRET_FILE_H_
#define BACKOFFICE_LIBS_CONFIG_SECRET_FILE_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace backoffice::config {

// Secrets larger than this are refused: a secret file is a password or a key, not a data file.
inline constexpr size_t kMaxSecretFileBytes = 1 << 20;

// Reads a secret (a password, a key) from `path`, as mounted from a Kubernetes Secret, and strips
// one trailing "\n" or "\r\n". Errors name the path but never the content:
//   NOT_FOUND          the file (or a folder on its path) does not exist;
//   PERMISSION_DENIED  the process may not read it;
//   INVALID_ARGUMENT   the path is empty or a folder, the secret is empty, or larger than
//                      kMaxSecretFileBytes;
//   INTERNAL           any other read error.
absl::StatusOr<std::string> ReadSecretFile(std::string_view path);

}  // namespace backoffice::config

#endif  // BACKOFFICE_LIBS_CONFIG_SECRET_FILE_H_
