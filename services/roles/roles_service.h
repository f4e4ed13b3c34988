#pragma once

#include "proto/roles/v1/roles.grpc.pb.h"

namespace backoffice::roles {

/// The gRPC handlers of RolesService. Until the roles issue lands, every call answers UNIMPLEMENTED
/// (the generated base class's behaviour); the binary already serves health, reflection, metrics
/// and its migrated schema.
class RolesServiceImpl final : public v1::RolesService::CallbackService {};

}  // namespace backoffice::roles
