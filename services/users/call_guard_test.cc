// The caller -> Actor mapping. (Admission and authorization over real gRPC with real tokens and
// the real roles service are tested end to end in it/users_calls_test.)
#include "services/users/call_guard.h"

#include <catch2/catch.hpp>

namespace backoffice::users {
namespace {

TEST_CASE("ActorFor records users by id and service accounts by name") {
  auth::Caller user{.kind = auth::Caller::Kind::kUser,
                    .id = "0190b5f2-7c1e-7d3a-9f00-0123456789ab"};
  Actor actor = ActorFor(user, "req-1", "trace-1");
  CHECK(actor.type == "user");
  CHECK(actor.id == user.id);
  CHECK(actor.request_id == "req-1");
  CHECK(actor.trace_id == "trace-1");

  auth::Caller service{.kind = auth::Caller::Kind::kService, .id = "service:notifications"};
  Actor service_actor = ActorFor(service, "req-2", "");
  CHECK(service_actor.type == "service");
  CHECK(service_actor.id == "notifications");
}

}  // namespace
}  // namespace backoffice::users
