#pragma once

#include "proto/notifications/v1/notifications.grpc.pb.h"

namespace backoffice::notifications {

/// The gRPC handlers of NotificationsService. Until the notifications issue lands, every call
/// answers UNIMPLEMENTED (the generated base class's behaviour); the binary already serves health,
/// reflection, metrics and its migrated schema.
class NotificationsServiceImpl final : public v1::NotificationsService::CallbackService {};

}  // namespace backoffice::notifications
