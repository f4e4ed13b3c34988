#include "services/users/bootstrap_admin.h"

#include "services/users/store/user_validation.h"

namespace backoffice::users {

Actor BootstrapActor() { return Actor{.type = "system", .id = "bootstrap-admin"}; }

absl::StatusOr<std::optional<std::string>> EnsureBootstrapAdmin(UserStore& store,
                                                                const PasswordHasher& hasher,
                                                                const PasswordPolicy& policy,
                                                                std::string_view email,
                                                                std::string_view password) {
  absl::StatusOr<ListUsersPage> any =
      store.List({.page_size = 1,
                  .total_count_mode = TotalCountMode::kNone,
                  .statuses = {UserStatus::kActive, UserStatus::kDisabled, UserStatus::kDeleted}});
  if (!any.ok()) {
    return any.status();
  }
  if (!any->users.empty()) {
    return std::nullopt;
  }
  absl::StatusOr<UserFields> fields = NormalizeNewUserFields({.email = std::string(email)});
  if (!fields.ok()) {
    return fields.status();
  }
  if (absl::Status ok = policy.Check(password, fields->email, fields->display_name); !ok.ok()) {
    return ok;
  }
  absl::StatusOr<std::string> hash = hasher.Hash(password);
  if (!hash.ok()) {
    return hash.status();
  }
  absl::StatusOr<User> user = store.Create(
      {.fields = *fields, .password_hash = *std::move(hash), .request_id = "bootstrap-admin"},
      BootstrapActor());
  if (!user.ok()) {
    return user.status();
  }
  return std::optional<std::string>(user->id);
}

}  // namespace backoffice::users
