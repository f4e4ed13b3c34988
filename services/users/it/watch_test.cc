// WatchUserChanges against the real users_service binary (and the real roles service beside it)
// over real gRPC: who may watch, what a watcher hears after a committed change, the bound on
// watchers, and the end of the stream when the replica shuts down.
#include <signal.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "services/users/it/users_binary.h"
#include "tests/support/watch_stream.h"

namespace backoffice::users::it {
namespace {

// Who a Watch calls as: kNobody sends no token, kAdmin the bootstrap admin's (users:read).
enum class As { kNobody, kAdmin, kToken };

// One open WatchUserChanges stream.
struct Watch : tests::WatchStream<v1::UserChange> {
  Watch(UsersBinary& users, As as, const std::string& token = "") {
    if (as == As::kNobody) {
      SetDeadline(context);
    } else {
      users.Authorize(context, as == As::kAdmin ? "" : token);
    }
    reader = users.stub().WatchUserChanges(&context, v1::WatchUserChangesRequest());
  }
};

grpc::Status Create(UsersBinary& users, const std::string& email, v1::User* out,
                    const std::string& password = "") {
  grpc::ClientContext context;
  users.Authorize(context);
  v1::CreateUserRequest request;
  request.mutable_user()->set_email(email);
  request.set_password(password);
  return users.stub().CreateUser(&context, request, out);
}

TEST_CASE("a service account or users:read may watch; a watcher hears each committed change") {
  UsersBinary users({"--max_user_watchers=2"});
  v1::User reader, watched;
  REQUIRE(Create(users, "reader@example.com", &reader, "correct horse battery staple 8").ok());
  REQUIRE(Create(users, "watched@example.com", &watched).ok());
  std::string reader_token =
      users.LoginOk("reader@example.com", "correct horse battery staple 8").tokens().access_token();
  std::string service_token = users.ServiceToken();

  // Refused before subscribing: no token; a user without users:read.
  CHECK(Watch(users, As::kNobody).Ended().error_code() == grpc::StatusCode::UNAUTHENTICATED);
  grpc::Status denied = Watch(users, As::kToken, reader_token).Ended();
  CHECK(denied.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK(denied.error_message() == "this call needs permission users:read");

  Watch service(users, As::kToken, service_token);
  REQUIRE(service.Next().kind() == v1::UserChange::KIND_LIVE);
  Watch admin(users, As::kAdmin);
  REQUIRE(admin.Next().kind() == v1::UserChange::KIND_LIVE);
  // Two streams open: a third is over --max_user_watchers.
  CHECK(Watch(users, As::kToken, service_token).Ended().error_code() ==
        grpc::StatusCode::RESOURCE_EXHAUSTED);

  grpc::ClientContext update_context;
  users.Authorize(update_context);
  v1::UpdateUserRequest update;
  update.mutable_user()->set_id(watched.id());
  update.mutable_user()->set_display_name("Watched Again");
  update.mutable_update_mask()->add_paths("display_name");
  v1::User updated;
  grpc::Status status = users.stub().UpdateUser(&update_context, update, &updated);
  INFO(status.error_message());
  REQUIRE(status.ok());
  for (Watch* watch : {&service, &admin}) {
    v1::UserChange change = watch->NextAbout(watched.id());
    CHECK(change.kind() == v1::UserChange::KIND_USER);
    CHECK(change.user_id() == watched.id());
  }
}

TEST_CASE("a service account may call nothing else, not even calls on one's own account") {
  UsersBinary users;
  std::string service_token = users.ServiceToken();
  {
    grpc::ClientContext context;
    users.Authorize(context, service_token);
    v1::GetUserRequest request;
    request.set_id(users.admin_id());
    v1::User out;
    CHECK(users.stub().GetUser(&context, request, &out).error_code() ==
          grpc::StatusCode::PERMISSION_DENIED);
  }
  {
    grpc::ClientContext context;
    users.Authorize(context, service_token);
    v1::ListSessionsRequest request;  // no user_id: the caller's own sessions
    v1::ListSessionsResponse out;
    CHECK(users.stub().ListSessions(&context, request, &out).error_code() ==
          grpc::StatusCode::PERMISSION_DENIED);
  }
}

TEST_CASE("shutting the replica down ends open watches with UNAVAILABLE") {
  UsersBinary users;
  Watch watch(users, As::kToken, users.ServiceToken());
  REQUIRE(watch.Next().kind() == v1::UserChange::KIND_LIVE);
  CHECK(users.Terminate() == 0);
  grpc::Status ended = watch.Ended();
  CHECK(ended.error_code() == grpc::StatusCode::UNAVAILABLE);
  CHECK(ended.error_message() == "this users replica is shutting down");
}

}  // namespace
}  // namespace backoffice::users::it
