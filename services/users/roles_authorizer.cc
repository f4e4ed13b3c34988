#include "services/users/roles_authorizer.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/errors/error_details.h"

namespace backoffice::users {
namespace {

absl::Status Missing(std::string_view permission) {
  return errors::WithErrorReason(absl::PermissionDeniedError(absl::StrCat(
                                     "this call needs permission ", std::string(permission))),
                                 "MISSING_PERMISSION");
}

bool SameId(std::string_view a, std::string_view b) {
  return absl::EqualsIgnoreCase(absl::string_view(a.data(), a.size()),
                                absl::string_view(b.data(), b.size()));
}

}  // namespace

absl::Status RolesCallAuthorizer::Authorize(const auth::Caller& caller, std::string_view permission,
                                            std::string_view subject_user_id) const {
  if (permission == kPermSelf) return absl::OkStatus();
  if (caller.kind != auth::Caller::Kind::kUser) return Missing(permission);
  if (!subject_user_id.empty() && SameId(subject_user_id, caller.id)) return absl::OkStatus();
  absl::StatusOr<authz::RolesPermissionsClient::Entry> held =
      permissions_.Of(caller.id, caller.authorization);
  if (!held.ok()) return held.status();
  if ((*held)->Has(permission)) return absl::OkStatus();
  return Missing(permission);
}

}  // namespace backoffice::users
