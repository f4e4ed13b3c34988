// The caller -> Actor mapping and the service-account rule of CallGuard::Authorize. (Admission
// and authorization over real gRPC with real tokens and the real roles service are tested end to
// end in it/users_calls_test and it/watch_test.)
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

// An authorizer that allows exactly one permission and counts how often it is asked.
class OnePermission final : public CallAuthorizer {
 public:
  explicit OnePermission(std::string_view allowed) : allowed_(allowed) {}
  absl::Status Authorize(const auth::Caller& /*caller*/, std::string_view permission,
                         std::string_view /*subject_user_id*/) const override {
    ++asked_;
    return permission == allowed_ ? absl::OkStatus()
                                  : absl::PermissionDeniedError("missing permission");
  }
  int asked() const { return asked_; }

 private:
  std::string_view allowed_;
  mutable int asked_ = 0;
};

TEST_CASE(
    "a service account is refused every call, self ones included, unless the call admits it") {
  // Authorize never authenticates: the authenticator is not used.
  auth::CallAuthenticator authenticator(nullptr);
  auto authorizer = std::make_unique<OnePermission>(kPermSelf);
  const OnePermission& asked = *authorizer;
  CallGuard guard(authenticator, std::move(authorizer));
  auth::Caller service{.kind = auth::Caller::Kind::kService, .id = "service:bff"};
  auth::Caller user{.kind = auth::Caller::Kind::kUser,
                    .id = "0190b5f2-7c1e-7d3a-9f00-0123456789ab"};

  CHECK(guard.Authorize(service, kPermSelf).code() == absl::StatusCode::kPermissionDenied);
  CHECK(guard.Authorize(service, kPermUsersRead, service.id).code() ==
        absl::StatusCode::kPermissionDenied);
  CHECK(asked.asked() == 0);
  CHECK(guard.Authorize(service, kPermUsersRead, "", ServiceAccounts::kAdmitted).ok());
  CHECK(asked.asked() == 0);

  // Anyone else still needs the permission, whether or not the call admits service accounts.
  CHECK(guard.Authorize(user, kPermSelf).ok());
  CHECK(guard.Authorize(user, kPermUsersRead, "", ServiceAccounts::kAdmitted).code() ==
        absl::StatusCode::kPermissionDenied);
  CHECK(asked.asked() == 2);
}

}  // namespace
}  // namespace backoffice::users
