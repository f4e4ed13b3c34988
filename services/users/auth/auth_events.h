// Helpers for the outbox events the sign-in classes write (login.*, session.*, lock.*,
// password.changed, user.totp_*, signing_key.*). Events never hold passwords, codes, tokens or
// token hashes.
#pragma once

#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "libs/outbox/outbox.h"
#include "services/users/store/user.h"

namespace backoffice::users {

/// RFC 3339 UTC text of `time` (microseconds kept), as events and JSON carry times.
std::string TimeJson(absl::Time time);

/// An event with a fresh UUIDv7 id, the actor's type, id, request id and trace id, and
/// `occurred_at = now`; the caller fills before/after/metadata. An actor with an empty type is
/// recorded as "system".
outbox::OutboxEvent NewEvent(std::string_view aggregate_type, std::string_view aggregate_id,
                             std::string_view event_type, const Actor& actor, absl::Time now);

}  // namespace backoffice::users
