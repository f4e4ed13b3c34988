#include "services/users/store/user.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace backoffice::users {

std::string_view UserStatusName(UserStatus status) {
  switch (status) {
    case UserStatus::kActive:
      return "active";
    case UserStatus::kDisabled:
      return "disabled";
    case UserStatus::kDeleted:
      return "deleted";
  }
  return "active";
}

absl::StatusOr<UserStatus> ParseUserStatus(std::string_view name) {
  for (UserStatus status : {UserStatus::kActive, UserStatus::kDisabled, UserStatus::kDeleted}) {
    if (name == UserStatusName(status)) {
      return status;
    }
  }
  return absl::InvalidArgumentError("status: must be active, disabled or deleted");
}

std::string EtagForVersion(int64_t version) { return absl::StrCat("v", version); }

absl::StatusOr<int64_t> VersionFromEtag(std::string_view etag) {
  int64_t version = 0;
  if (etag.size() < 2 || etag.size() > 20 || etag[0] != 'v' ||
      !absl::SimpleAtoi(absl::string_view(etag.data() + 1, etag.size() - 1), &version) ||
      version < 1 || etag[1] == '+' || etag[1] == '-' || etag[1] == ' ') {
    return absl::InvalidArgumentError("etag: not an etag this service issued");
  }
  return version;
}

}  // namespace backoffice::users
