#pragma once

#include "proto/users/v1/users.grpc.pb.h"

namespace backoffice::users {

/// The gRPC handlers of UsersService. Until the users issue lands, every call answers UNIMPLEMENTED
/// (the generated base class's behaviour); the binary already serves health, reflection, metrics
/// and its migrated schema.
class UsersServiceImpl final : public v1::UsersService::CallbackService {};

}  // namespace backoffice::users
