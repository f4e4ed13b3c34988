// The first account of a fresh installation, so that someone can log in at all (the local stack's
// `./dev up` prints its login). Created once: only while the users table is empty.
//
//   absl::StatusOr<std::optional<std::string>> id =
//       EnsureBootstrapAdmin(store, hasher, policy, "admin@example.com", password);
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "services/users/credentials/password_hasher.h"
#include "services/users/credentials/password_policy.h"
#include "services/users/store/user_store.h"

namespace backoffice::users {

/// The actor recorded on the bootstrap account's `user.created` event.
Actor BootstrapActor();

/// If no account exists (deleted ones count as existing), creates an active one with `email`
/// and `password` (checked against the policy, hashed) as actor system/"bootstrap-admin", and
/// returns its id; otherwise returns nullopt and writes nothing. Replicas starting together are
/// safe: the create carries a fixed request id, so the losers get the winner's account back.
/// INVALID_ARGUMENT for a bad email or a password the policy refuses.
absl::StatusOr<std::optional<std::string>> EnsureBootstrapAdmin(UserStore& store,
                                                                const PasswordHasher& hasher,
                                                                const PasswordPolicy& policy,
                                                                std::string_view email,
                                                                std::string_view password);

}  // namespace backoffice::users
