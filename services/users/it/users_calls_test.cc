// The real users_service binary over real gRPC: callers must authenticate, and every account call
// works and fails as users.proto documents (INVALID_ARGUMENT naming the field with BadRequest
// details, NOT_FOUND, ALREADY_EXISTS, ABORTED on a stale etag, FAILED_PRECONDITION).
#include <catch2/catch.hpp>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/testing/eventually.h"
#include "proto/common/v1/error_details.pb.h"
#include "services/users/it/users_binary.h"

namespace backoffice::users::it {
namespace {

constexpr char kUnknownId[] = "0190b5f2-7c1e-7d3a-9f00-0123456789ab";
constexpr char kAdminRole[] = "01900000-0000-7000-8000-000000000001";

grpc::Status Create(UsersBinary& users, const std::string& email, v1::User* out,
                    const std::string& password = "", const std::string& request_id = "") {
  grpc::ClientContext context;
  users.Authorize(context);
  v1::CreateUserRequest request;
  request.mutable_user()->set_email(email);
  request.set_password(password);
  request.set_request_id(request_id);
  return users.stub().CreateUser(&context, request, out);
}

grpc::Status Get(UsersBinary& users, const std::string& id, v1::User* out) {
  grpc::ClientContext context;
  users.Authorize(context);
  v1::GetUserRequest request;
  request.set_id(id);
  return users.stub().GetUser(&context, request, out);
}

TEST_CASE("the roles service decides: no permission, no call; one's own account; after a grant") {
  UsersBinary users;
  v1::User alice, bob;
  grpc::Status created =
      Create(users, "alice@example.com", &alice, "correct horse battery staple 7");
  INFO(created.error_message());
  REQUIRE(created.ok());
  REQUIRE(Create(users, "bob@example.com", &bob).ok());
  std::string token =
      users.LoginOk("alice@example.com", "correct horse battery staple 7").tokens().access_token();
  auto get = [&](const std::string& id) {
    grpc::ClientContext context;
    users.Authorize(context, token);
    v1::GetUserRequest request;
    request.set_id(id);
    v1::User out;
    return users.stub().GetUser(&context, request, &out);
  };
  grpc::Status denied = get(bob.id());
  CHECK(denied.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK(denied.error_message() == "this call needs permission users:read");
  CHECK(get(alice.id()).ok());  // GetUser is "users:read, or self"
  {
    grpc::ClientContext context;
    users.Authorize(context, token);
    v1::DeleteUserRequest request;
    request.set_id(bob.id());
    v1::User out;
    CHECK(users.stub().DeleteUser(&context, request, &out).error_code() ==
          grpc::StatusCode::PERMISSION_DENIED);
  }

  // Granted viewer (through the roles service, by the admin): reading works, deleting does not.
  grpc::ClientContext grant_context;
  users.Authorize(grant_context);
  roles::v1::GrantRoleRequest grant;
  grant.set_user_id(alice.id());
  grant.set_role_id("01900000-0000-7000-8000-000000000003");  // viewer
  roles::v1::RoleGrant granted;
  grpc::Status status = users.roles().GrantRole(&grant_context, grant, &granted);
  INFO(status.error_message());
  REQUIRE(status.ok());
  // The users service caches alice's (empty) permissions from the refusals above; the grant
  // reaches it by the roles watch, a few milliseconds after GrantRole answers.
  CHECK(testing::Eventually([&] { return get(bob.id()).ok(); }));
  grpc::ClientContext context;
  users.Authorize(context, token);
  v1::DeleteUserRequest request;
  request.set_id(bob.id());
  v1::User out;
  CHECK(users.stub().DeleteUser(&context, request, &out).error_code() ==
        grpc::StatusCode::PERMISSION_DENIED);
}

std::string ErrorReason(const grpc::Status& status) {
  common::v1::Status details;
  if (!details.ParseFromString(status.error_details())) return "";
  for (const google::protobuf::Any& any : details.details()) {
    common::v1::ErrorInfo info;
    if (any.UnpackTo(&info)) return info.reason();
  }
  return "";
}

// DeleteUser / DisableUser / EnableUser / RestoreUser of `id` with `token`.
template <typename Request, typename Method>
grpc::Status StateCall(UsersBinary& users, Method method, const std::string& token,
                       const std::string& id) {
  grpc::ClientContext context;
  users.Authorize(context, token);
  Request request;
  request.set_id(id);
  v1::User out;
  return (users.stub().*method)(&context, request, &out);
}

grpc::Status Grant(UsersBinary& users, const std::string& user_id, const std::string& role_id) {
  grpc::ClientContext context;
  users.Authorize(context);
  roles::v1::GrantRoleRequest grant;
  grant.set_user_id(user_id);
  grant.set_role_id(role_id);
  roles::v1::RoleGrant granted;
  return users.roles().GrantRole(&context, grant, &granted);
}

void RequireLastAdmin(const grpc::Status& status) {
  INFO(status.error_message());
  CHECK(status.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  CHECK(ErrorReason(status) == "LAST_ADMIN");
  CHECK(absl::StrContains(status.error_message(), "last active admin"));
}

TEST_CASE("the last active admin can be neither deleted nor disabled, even by themselves") {
  UsersBinary users;
  const std::string admin = users.admin_id();
  using Stub = v1::UsersService::Stub;
  auto remove = [&](const std::string& token, const std::string& id) {
    return StateCall<v1::DeleteUserRequest>(users, &Stub::DeleteUser, token, id);
  };
  auto disable = [&](const std::string& token, const std::string& id) {
    return StateCall<v1::DisableUserRequest>(users, &Stub::DisableUser, token, id);
  };
  RequireLastAdmin(remove("", admin));
  RequireLastAdmin(disable("", admin));

  // A caller allowed users:write and users:delete but not roles:read still hears the rule: the
  // users service asks the roles service as itself.
  v1::User dora, carol;
  REQUIRE(Create(users, "dora@example.com", &dora, "correct horse battery staple 9").ok());
  REQUIRE(Create(users, "carol@example.com", &carol, "correct horse battery staple 8").ok());
  grpc::ClientContext role_context;
  users.Authorize(role_context);
  roles::v1::CreateRoleRequest create_role;
  create_role.mutable_role()->set_name("account-keeper");
  create_role.mutable_role()->set_display_name("Account keeper");
  create_role.mutable_role()->add_permissions("users:write");
  create_role.mutable_role()->add_permissions("users:delete");
  roles::v1::Role keeper;
  grpc::Status role_created = users.roles().CreateRole(&role_context, create_role, &keeper);
  INFO(role_created.error_message());
  REQUIRE(role_created.ok());
  REQUIRE(Grant(users, dora.id(), keeper.id()).ok());
  std::string dora_token =
      users.LoginOk("dora@example.com", "correct horse battery staple 9").tokens().access_token();
  RequireLastAdmin(remove(dora_token, admin));
  RequireLastAdmin(disable(dora_token, admin));
  CHECK(remove(dora_token, carol.id()).ok());  // not an admin: no rule
  REQUIRE(StateCall<v1::RestoreUserRequest>(users, &Stub::RestoreUser, "", carol.id()).ok());

  // A second active admin: the first may go, and comes back.
  grpc::Status granted = Grant(users, carol.id(), kAdminRole);
  INFO(granted.error_message());
  REQUIRE(granted.ok());
  std::string carol_token =
      users.LoginOk("carol@example.com", "correct horse battery staple 8").tokens().access_token();
  grpc::Status disabled = disable(carol_token, admin);
  INFO(disabled.error_message());
  REQUIRE(disabled.ok());
  // Carol is now the last active admin (the disabled one does not count).
  RequireLastAdmin(remove(carol_token, carol.id()));
  RequireLastAdmin(disable(dora_token, carol.id()));
  REQUIRE(StateCall<v1::EnableUserRequest>(users, &Stub::EnableUser, carol_token, admin).ok());
  grpc::Status deleted = remove(carol_token, admin);
  INFO(deleted.error_message());
  REQUIRE(deleted.ok());
  REQUIRE(StateCall<v1::RestoreUserRequest>(users, &Stub::RestoreUser, carol_token, admin).ok());
  grpc::ClientContext context;
  users.Authorize(context, carol_token);
  v1::GetUserRequest get;
  get.set_id(admin);
  v1::User restored;
  REQUIRE(users.stub().GetUser(&context, get, &restored).ok());
  CHECK(restored.status() == v1::USER_STATUS_ACTIVE);
}

TEST_CASE("the binary's housekeeping erases an account once its purge_time has passed") {
  UsersBinary users({"--housekeeping_interval=1s"});
  v1::User doomed;
  REQUIRE(Create(users, "doomed@example.com", &doomed).ok());
  grpc::ClientContext context;
  users.Authorize(context);
  v1::DeleteUserRequest request;
  request.set_id(doomed.id());
  v1::User deleted;
  REQUIRE(users.stub().DeleteUser(&context, request, &deleted).ok());
  absl::StatusOr<pg::PooledConnection> conn = users.pool().Acquire();
  REQUIRE(conn.ok());
  REQUIRE((*conn)
              ->Execute("UPDATE users SET deleted_at = now() - interval '31 days' WHERE id = $1",
                        {doomed.id()})
              .ok());
  grpc::StatusCode code = grpc::StatusCode::OK;
  for (int i = 0; i < 100 && code != grpc::StatusCode::NOT_FOUND; ++i) {
    absl::SleepFor(absl::Milliseconds(100));
    v1::User out;
    code = Get(users, doomed.id(), &out).error_code();
  }
  CHECK(code == grpc::StatusCode::NOT_FOUND);
  CHECK(absl::StrContains(users.Output(), "housekeeping erased expired rows"));
}

TEST_CASE("calls without a valid bearer token are UNAUTHENTICATED; GetJwks is public") {
  UsersBinary users;
  v1::GetUserRequest request;
  request.set_id(users.admin_id());
  v1::User user;
  {
    grpc::ClientContext context;
    SetDeadline(context);
    CHECK(users.stub().GetUser(&context, request, &user).error_code() ==
          grpc::StatusCode::UNAUTHENTICATED);
  }
  {
    grpc::ClientContext context;
    SetDeadline(context);
    context.AddMetadata("authorization", "Bearer not.a.token");
    CHECK(users.stub().GetUser(&context, request, &user).error_code() ==
          grpc::StatusCode::UNAUTHENTICATED);
  }
  {
    grpc::ClientContext context;
    SetDeadline(context);
    context.AddMetadata("authorization", "Basic YWRtaW46YWRtaW4=");
    v1::ListUsersResponse list;
    CHECK(users.stub().ListUsers(&context, v1::ListUsersRequest(), &list).error_code() ==
          grpc::StatusCode::UNAUTHENTICATED);
  }
  {
    grpc::ClientContext context;
    users.Authorize(context);
    grpc::Status status = users.stub().GetUser(&context, request, &user);
    INFO(status.error_message());
    REQUIRE(status.ok());
    CHECK(user.email() == kAdminEmail);
    CHECK(user.password_set());
  }
  {
    grpc::ClientContext context;
    SetDeadline(context);
    v1::GetJwksResponse jwks;
    REQUIRE(users.stub().GetJwks(&context, v1::GetJwksRequest(), &jwks).ok());
    REQUIRE(jwks.keys_size() == 1);
    CHECK(jwks.keys(0).kty() == "RSA");
    CHECK(jwks.keys(0).alg() == "RS256");
    CHECK_FALSE(jwks.keys(0).n().empty());
    CHECK(jwks.jwks_json().find(jwks.keys(0).kid()) != std::string::npos);
    CHECK(jwks.max_age().seconds() == 300);
  }
}

TEST_CASE("account calls: happy paths and their documented errors") {
  UsersBinary users;
  v1::User ann;
  grpc::Status created =
      Create(users, "Ann.Lee@Example.COM", &ann, "a long and unusual passphrase", "req-1");
  INFO(created.error_message());
  REQUIRE(created.ok());
  CHECK(ann.email() == "Ann.Lee@example.com");
  CHECK(ann.display_name() == "Ann.Lee");
  CHECK(ann.status() == v1::USER_STATUS_ACTIVE);
  CHECK(ann.password_set());
  CHECK(ann.create_time().seconds() > 0);
  CHECK_FALSE(ann.etag().empty());

  // A retry with the same request_id returns the same account.
  v1::User retried;
  REQUIRE(Create(users, "Ann.Lee@Example.COM", &retried, "a long and unusual passphrase", "req-1")
              .ok());
  CHECK(retried.id() == ann.id());

  // Invalid input names the field, in the message and in BadRequest.
  v1::User ignored;
  grpc::Status bad_email = Create(users, "not-an-email", &ignored);
  CHECK(bad_email.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(bad_email.error_message().rfind("user.email: ", 0) == 0);
  CHECK(ViolatedFields(bad_email) == std::vector<std::string>{"user.email"});
  grpc::Status weak = Create(users, "weak@example.com", &ignored, "short");
  CHECK(weak.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(ViolatedFields(weak) == std::vector<std::string>{"password"});
  {
    grpc::ClientContext context;
    users.Authorize(context);
    grpc::Status no_user = users.stub().CreateUser(&context, v1::CreateUserRequest(), &ignored);
    CHECK(no_user.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(ViolatedFields(no_user) == std::vector<std::string>{"user"});
  }
  CHECK(Create(users, "ann.lee@EXAMPLE.com", &ignored).error_code() ==
        grpc::StatusCode::ALREADY_EXISTS);

  // Get and BatchGet.
  v1::User got;
  REQUIRE(Get(users, ann.id(), &got).ok());
  CHECK(got.etag() == ann.etag());
  CHECK(Get(users, kUnknownId, &got).error_code() == grpc::StatusCode::NOT_FOUND);
  grpc::Status no_id = Get(users, "", &got);
  CHECK(no_id.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(ViolatedFields(no_id) == std::vector<std::string>{"id"});
  {
    grpc::ClientContext context;
    users.Authorize(context);
    v1::BatchGetUsersRequest request;
    request.add_ids(kUnknownId);
    request.add_ids(ann.id());
    request.add_ids(users.admin_id());
    v1::BatchGetUsersResponse response;
    REQUIRE(users.stub().BatchGetUsers(&context, request, &response).ok());
    REQUIRE(response.users_size() == 2);
    CHECK(response.users(0).id() == ann.id());
    CHECK(response.users(1).id() == users.admin_id());
    REQUIRE(response.missing_ids_size() == 1);
    CHECK(response.missing_ids(0) == kUnknownId);
  }
  {
    grpc::ClientContext context;
    users.Authorize(context);
    v1::BatchGetUsersResponse response;
    CHECK(
        users.stub().BatchGetUsers(&context, v1::BatchGetUsersRequest(), &response).error_code() ==
        grpc::StatusCode::INVALID_ARGUMENT);
  }

  // Update with a mask and an etag; the old etag is then stale.
  auto update = [&](const std::string& etag, const std::vector<std::string>& paths, v1::User* out) {
    grpc::ClientContext context;
    users.Authorize(context);
    v1::UpdateUserRequest request;
    request.mutable_user()->set_id(ann.id());
    request.mutable_user()->set_etag(etag);
    request.mutable_user()->set_display_name("Ann Lee");
    request.mutable_user()->set_time_zone("Europe/Zurich");
    (*request.mutable_user()->mutable_attributes()->mutable_fields())["team"].set_string_value(
        "ops");
    for (const std::string& path : paths) {
      request.mutable_update_mask()->add_paths(path);
    }
    return users.stub().UpdateUser(&context, request, out);
  };
  v1::User updated;
  REQUIRE(update(ann.etag(), {"display_name", "attributes"}, &updated).ok());
  CHECK(updated.display_name() == "Ann Lee");
  CHECK(updated.time_zone().empty());  // not in the mask
  CHECK(updated.attributes().fields().at("team").string_value() == "ops");
  CHECK(updated.etag() != ann.etag());
  CHECK(update(ann.etag(), {"time_zone"}, &ignored).error_code() == grpc::StatusCode::ABORTED);
  grpc::Status unknown_path = update(updated.etag(), {"password_set"}, &ignored);
  CHECK(unknown_path.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  REQUIRE(ViolatedFields(unknown_path).size() == 1);
  CHECK(ViolatedFields(unknown_path)[0].rfind("update_mask", 0) == 0);
  CHECK(update(updated.etag(), {}, &ignored).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  grpc::Status bad_etag = update("garbage", {"time_zone"}, &ignored);
  CHECK(ViolatedFields(bad_etag) == std::vector<std::string>{"user.etag"});

  // Disable / Enable.
  v1::User disabled;
  {
    grpc::ClientContext context;
    users.Authorize(context);
    v1::DisableUserRequest request;
    request.set_id(ann.id());
    request.set_reason("on leave");
    request.set_etag(updated.etag());
    REQUIRE(users.stub().DisableUser(&context, request, &disabled).ok());
    CHECK(disabled.status() == v1::USER_STATUS_DISABLED);
    CHECK(disabled.disabled_reason() == "on leave");
  }
  {
    grpc::ClientContext context;
    users.Authorize(context);
    v1::DisableUserRequest request;
    request.set_id(ann.id());
    CHECK(users.stub().DisableUser(&context, request, &ignored).error_code() ==
          grpc::StatusCode::FAILED_PRECONDITION);
  }
  {
    grpc::ClientContext context;
    users.Authorize(context);
    v1::DisableUserRequest request;
    request.set_id(users.admin_id());  // the caller's own account
    CHECK(users.stub().DisableUser(&context, request, &ignored).error_code() ==
          grpc::StatusCode::FAILED_PRECONDITION);
  }
  {
    grpc::ClientContext context;
    users.Authorize(context);
    v1::EnableUserRequest request;
    request.set_id(ann.id());
    request.set_etag(ann.etag());  // stale
    CHECK(users.stub().EnableUser(&context, request, &ignored).error_code() ==
          grpc::StatusCode::ABORTED);
  }
  v1::User enabled;
  {
    grpc::ClientContext context;
    users.Authorize(context);
    v1::EnableUserRequest request;
    request.set_id(ann.id());
    REQUIRE(users.stub().EnableUser(&context, request, &enabled).ok());
    CHECK(enabled.status() == v1::USER_STATUS_ACTIVE);
  }

  // Delete / Restore.
  v1::User deleted;
  {
    grpc::ClientContext context;
    users.Authorize(context);
    v1::DeleteUserRequest request;
    request.set_id(ann.id());
    request.set_etag(enabled.etag());
    REQUIRE(users.stub().DeleteUser(&context, request, &deleted).ok());
    CHECK(deleted.status() == v1::USER_STATUS_DELETED);
    CHECK(deleted.has_delete_time());
    CHECK(deleted.purge_time().seconds() - deleted.delete_time().seconds() == 30 * 24 * 3600);
  }
  {
    grpc::ClientContext context;
    users.Authorize(context);
    v1::DeleteUserRequest request;
    request.set_id(ann.id());
    CHECK(users.stub().DeleteUser(&context, request, &ignored).error_code() ==
          grpc::StatusCode::FAILED_PRECONDITION);
  }
  {
    grpc::ClientContext context;
    users.Authorize(context);
    v1::DeleteUserRequest request;
    request.set_id(kUnknownId);
    CHECK(users.stub().DeleteUser(&context, request, &ignored).error_code() ==
          grpc::StatusCode::NOT_FOUND);
  }
  REQUIRE(Get(users, ann.id(), &got).ok());  // GetUser returns deleted accounts
  CHECK(got.status() == v1::USER_STATUS_DELETED);
  {
    grpc::ClientContext context;
    users.Authorize(context);
    v1::RestoreUserRequest request;
    request.set_id(ann.id());
    v1::User restored;
    REQUIRE(users.stub().RestoreUser(&context, request, &restored).ok());
    CHECK(restored.status() == v1::USER_STATUS_ACTIVE);
    CHECK_FALSE(restored.has_delete_time());
  }
  {
    grpc::ClientContext context;
    users.Authorize(context);
    v1::RestoreUserRequest request;
    request.set_id(ann.id());
    CHECK(users.stub().RestoreUser(&context, request, &ignored).error_code() ==
          grpc::StatusCode::FAILED_PRECONDITION);
  }

  // The caller is the actor recorded on the outbox events.
  absl::StatusOr<pg::PooledConnection> connection = users.pool().Acquire(absl::Seconds(5));
  REQUIRE(connection.ok());
  absl::StatusOr<pg::Result> actors =
      (*connection)
          ->Execute(
              "SELECT count(*) FROM outbox WHERE aggregate_id = $1 AND actor_type = 'user' AND "
              "actor_id = $2",
              {ann.id(), users.admin_id()});
  REQUIRE(actors.ok());
  // created, updated, disabled, enabled, deleted, restored
  CHECK(*(*actors)[0].Get<int64_t>(0) == 6);
}

TEST_CASE("ListUsers pages through a few hundred users by token, with totals") {
  UsersBinary users;
  std::set<std::string> created;
  for (int i = 0; i < 260; ++i) {
    v1::User user;
    grpc::Status status = Create(users, absl::StrCat("member", i, "@list.example.com"), &user);
    REQUIRE(status.ok());
    created.insert(user.id());
  }
  std::set<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    grpc::ClientContext context;
    users.Authorize(context);
    v1::ListUsersRequest request;
    request.set_query("list.example.com");
    request.mutable_page()->set_page_size(50);
    request.mutable_page()->set_page_token(token);
    common::v1::SortOrder* order = request.add_order_by();
    order->set_field("email");
    v1::ListUsersResponse response;
    grpc::Status status = users.stub().ListUsers(&context, request, &response);
    INFO(status.error_message());
    REQUIRE(status.ok());
    CHECK(response.page_info().total_size() == 260);
    CHECK_FALSE(response.page_info().total_is_estimate());
    for (int i = 0; i < response.users_size(); ++i) {
      CHECK(seen.insert(response.users(i).id()).second);
      if (i > 0) {
        CHECK(response.users(i - 1).email() < response.users(i).email());
      }
    }
    token = response.page_info().next_page_token();
    ++pages;
  } while (!token.empty() && pages < 20);
  CHECK(seen == created);
  CHECK(pages == 6);

  auto list_error = [&](const std::function<void(v1::ListUsersRequest&)>& edit) {
    grpc::ClientContext context;
    users.Authorize(context);
    v1::ListUsersRequest request;
    edit(request);
    v1::ListUsersResponse response;
    return users.stub().ListUsers(&context, request, &response);
  };
  grpc::Status bad_sort =
      list_error([](v1::ListUsersRequest& r) { r.add_order_by()->set_field("password"); });
  CHECK(bad_sort.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(ViolatedFields(bad_sort) == std::vector<std::string>{"order_by[0].field"});
  grpc::Status bad_token =
      list_error([](v1::ListUsersRequest& r) { r.mutable_page()->set_page_token("nope"); });
  CHECK(ViolatedFields(bad_token) == std::vector<std::string>{"page.page_token"});
  grpc::Status bad_size =
      list_error([](v1::ListUsersRequest& r) { r.mutable_page()->set_page_size(-1); });
  CHECK(ViolatedFields(bad_size) == std::vector<std::string>{"page.page_size"});
  grpc::Status bad_offset =
      list_error([](v1::ListUsersRequest& r) { r.mutable_page()->set_offset(10'001); });
  CHECK(ViolatedFields(bad_offset) == std::vector<std::string>{"page.offset"});
  grpc::Status bad_status =
      list_error([](v1::ListUsersRequest& r) { r.add_statuses(v1::USER_STATUS_UNSPECIFIED); });
  CHECK(ViolatedFields(bad_status) == std::vector<std::string>{"statuses[0]"});
}

}  // namespace
}  // namespace backoffice::users::it
