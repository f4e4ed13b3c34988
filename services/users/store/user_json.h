// The JSON form of a User recorded as before/after on outbox events.
#pragma once

#include <string>

#include "services/users/store/user.h"

namespace backoffice::users {

/// A JSON object with the user's public fields (proto field names; times RFC 3339 UTC; attributes
/// embedded as an object; absent optional times as null). Holds no secrets: User has none.
std::string UserToJson(const User& user);

}  // namespace backoffice::users
