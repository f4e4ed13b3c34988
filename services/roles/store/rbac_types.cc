#include "services/roles/store/rbac_types.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/ids/uuid.h"

namespace backoffice::roles {
namespace {

bool IsSegment(std::string_view text) {
  if (text.empty() || text[0] < 'a' || text[0] > 'z') {
    return false;
  }
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
}

}  // namespace

bool EffectivePermissions::Has(std::string_view permission) const {
  return std::binary_search(permissions.begin(), permissions.end(), permission);
}

std::string EtagForVersion(int64_t version) { return absl::StrCat("v", version); }

absl::StatusOr<int64_t> VersionFromEtag(std::string_view etag, std::string_view field) {
  int64_t version = 0;
  if (etag.size() < 2 || etag[0] != 'v' || !absl::SimpleAtoi(Absl(etag.substr(1)), &version) ||
      version <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(Absl(field), ": not an etag this service issued"));
  }
  return version;
}

absl::Status ValidatePermissionName(std::string_view name, std::string_view field) {
  size_t colon = name.find(':');
  if (name.size() > 128 || colon == std::string_view::npos || !IsSegment(name.substr(0, colon)) ||
      !IsSegment(name.substr(colon + 1))) {
    return absl::InvalidArgumentError(absl::StrCat(
        Absl(field), ": must be `resource:action` of lower-case letters and underscores"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> CanonicalId(std::string_view id, std::string_view field) {
  if (id.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(Absl(field), ": required"));
  }
  absl::StatusOr<ids::Uuid> uuid = ids::ParseUuid(id);
  if (!uuid.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(Absl(field), ": must be a UUID in canonical text form"));
  }
  return uuid->ToString();
}

}  // namespace backoffice::roles
