// Whether a user exists, and which users are active, asked of the users service (roles grants
// only to real accounts, and keeps an active administrator).
// An interface so the logic's tests use a hand-written fake; the binary uses GrpcUserDirectory.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace grpc {
class Channel;
}

namespace backoffice::roles {

/// Looks users up in the users service.
class UserDirectory {
 public:
  virtual ~UserDirectory() = default;

  /// OK if `user_id` names an account that is not deleted. NOT_FOUND ("user_id: no user ...")
  /// otherwise; UNAVAILABLE / DEADLINE_EXCEEDED when the users service cannot answer;
  /// PERMISSION_DENIED / UNAUTHENTICATED as it answers them. `authorization` is the caller's
  /// `authorization` metadata value, forwarded.
  virtual absl::Status CheckUserExists(std::string_view user_id,
                                       std::string_view authorization) = 0;

  /// The ids among `user_ids` that name ACTIVE accounts, in the order given; missing, deleted
  /// and disabled accounts are left out. UNAVAILABLE / DEADLINE_EXCEEDED when the users service
  /// cannot answer; PERMISSION_DENIED (the caller lacks `users:read`, needed to check that an
  /// active admin remains) / UNAUTHENTICATED as it answers them. `authorization` as above.
  virtual absl::StatusOr<std::vector<std::string>> ActiveUsers(
      const std::vector<std::string>& user_ids, std::string_view authorization) = 0;
};

/// UserDirectory over UsersService.GetUser and BatchGetUsers (500 ids a call) on `channel`, with
/// a 5 s deadline per call.
std::unique_ptr<UserDirectory> MakeGrpcUserDirectory(std::shared_ptr<grpc::Channel> channel);

}  // namespace backoffice::roles
