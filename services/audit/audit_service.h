#pragma once

#include "proto/audit/v1/audit.grpc.pb.h"

namespace backoffice::audit {

/// The gRPC handlers of AuditService. Until the audit issue lands, every call answers UNIMPLEMENTED
/// (the generated base class's behaviour); the binary already serves health, reflection, metrics
/// and its migrated schema.
class AuditServiceImpl final : public v1::AuditService::CallbackService {};

}  // namespace backoffice::audit
