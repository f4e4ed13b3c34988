#pragma once

#include "proto/integrations/v1/integrations.grpc.pb.h"

namespace backoffice::integrations {

/// The gRPC handlers of IntegrationsService. Until the integrations issue lands, every call answers
/// UNIMPLEMENTED (the generated base class's behaviour); the binary already serves health,
/// reflection, metrics and its migrated schema.
class IntegrationsServiceImpl final : public v1::IntegrationsService::CallbackService {};

}  // namespace backoffice::integrations
