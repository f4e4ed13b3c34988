// Account handlers of UsersService: CreateUser, GetUser, BatchGetUsers, UpdateUser, DeleteUser,
// RestoreUser, DisableUser, EnableUser, ListUsers, WatchUserChanges; and the call plumbing every
// handler shares.
#include "services/users/users_service.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/server/grpc_status.h"
#include "libs/server/request_context.h"
#include "libs/watch/serve_watch.h"
#include "services/users/admin_holders.h"
#include "services/users/credentials/password_hasher.h"
#include "services/users/credentials/password_policy.h"
#include "services/users/store/user_store.h"
#include "services/users/store/user_validation.h"
#include "services/users/user_mapping.h"

namespace backoffice::users {
namespace {

constexpr std::string_view kDomain = "users";

absl::Status Required(std::string_view field) {
  return absl::InvalidArgumentError(
      absl::StrCat(absl::string_view(field.data(), field.size()), ": required"));
}

// Runs a store call that returns one account and writes it to `response`.
absl::Status Respond(absl::StatusOr<User> user, v1::User* response) {
  if (!user.ok()) {
    return user.status();
  }
  UserToProto(*user, response);
  return absl::OkStatus();
}

// The state-change calls (delete, restore, disable, enable) name an account by `id` and may
// carry its `etag`: the id is required, the etag becomes the expected version.
absl::StatusOr<std::optional<int64_t>> TargetVersion(const std::string& id,
                                                     const std::string& etag) {
  if (id.empty()) {
    return Required("id");
  }
  return VersionFromOptionalEtag(etag, "etag");
}

// The slot the current handler thread holds, so a sleep deep inside a sign-in class can free it.
thread_local void* current_hash_slot = nullptr;
}  // namespace

UsersServiceImpl::HashSlot::HashSlot(UsersServiceImpl& service) : service_(service) {
  {
    absl::MutexLock lock(&service_.hash_slots_mutex_);
    service_.hash_slots_mutex_.Await(absl::Condition(
        +[](int* free) { return *free > 0; }, &service_.free_hash_slots_));
    --service_.free_hash_slots_;
  }
  current_hash_slot = this;
}

UsersServiceImpl::HashSlot::~HashSlot() { Release(); }

void UsersServiceImpl::HashSlot::Release() {
  if (!held_) {
    return;
  }
  held_ = false;
  if (current_hash_slot == this) {
    current_hash_slot = nullptr;
  }
  absl::MutexLock lock(&service_.hash_slots_mutex_);
  ++service_.free_hash_slots_;
}

void UsersServiceImpl::SleepOutsideHashSlot(absl::Duration delay) {
  if (current_hash_slot != nullptr) {
    static_cast<HashSlot*>(current_hash_slot)->Release();
  }
  absl::SleepFor(delay);
}

grpc::Status UsersServiceImpl::Handle(grpc::ServerContext& context, std::string_view permission,
                                      std::string_view subject_user_id,
                                      const std::function<absl::Status(const CallScope&)>& body) {
  std::string request_id = server::RequestIdOf(context);
  absl::StatusOr<CallScope> call = deps_.guard.Admit(context, permission, subject_user_id);
  if (!call.ok()) {
    return server::ToGrpcStatus(call.status(), kDomain, request_id);
  }
  return server::ToGrpcStatus(body(*call), kDomain, request_id);
}

grpc::Status UsersServiceImpl::HandlePublic(grpc::ServerContext& context,
                                            const std::function<absl::Status(const Actor&)>& body) {
  std::string request_id = server::RequestIdOf(context);
  Actor actor{.type = "user", .request_id = request_id, .trace_id = server::TraceIdOf(context)};
  return server::ToGrpcStatus(body(actor), kDomain, request_id);
}

grpc::Status UsersServiceImpl::CreateUser(grpc::ServerContext* context,
                                          const v1::CreateUserRequest* request,
                                          v1::User* response) {
  return Handle(*context, kPermUsersWrite, "", [&](const CallScope& call) -> absl::Status {
    if (!request->has_user()) {
      return Required("user");
    }
    NewUser user{.fields = FieldsFromProto(request->user()),
                 .password_change_required = request->require_password_change(),
                 .request_id = request->request_id()};
    if (!request->password().empty()) {
      // The policy compares against the email and name as they will be stored.
      absl::StatusOr<UserFields> normalized = NormalizeNewUserFields(user.fields);
      if (!normalized.ok()) {
        return normalized.status();
      }
      if (absl::Status policy =
              deps_.policy.Check(request->password(), normalized->email, normalized->display_name);
          !policy.ok()) {
        return policy;
      }
      HashSlot slot(*this);
      absl::StatusOr<std::string> hash = deps_.hasher.Hash(request->password());
      if (!hash.ok()) {
        return hash.status();
      }
      user.password_hash = *std::move(hash);
    } else if (request->require_password_change()) {
      return absl::InvalidArgumentError(
          "require_password_change: needs a password (an account without one cannot log in)");
    }
    return Respond(deps_.store.Create(user, call.actor), response);
  });
}

grpc::Status UsersServiceImpl::GetUser(grpc::ServerContext* context,
                                       const v1::GetUserRequest* request, v1::User* response) {
  return Handle(*context, kPermUsersRead, request->id(), [&](const CallScope&) -> absl::Status {
    if (request->id().empty()) {
      return Required("id");
    }
    return Respond(deps_.store.Get(request->id()), response);
  });
}

grpc::Status UsersServiceImpl::BatchGetUsers(grpc::ServerContext* context,
                                             const v1::BatchGetUsersRequest* request,
                                             v1::BatchGetUsersResponse* response) {
  return Handle(*context, kPermUsersRead, "", [&](const CallScope&) -> absl::Status {
    std::vector<std::string> ids(request->ids().begin(), request->ids().end());
    absl::StatusOr<BatchGetUsersResult> result = deps_.store.BatchGet(ids);
    if (!result.ok()) {
      return result.status();
    }
    for (const User& user : result->users) {
      UserToProto(user, response->add_users());
    }
    for (std::string& id : result->missing_ids) {
      response->add_missing_ids(std::move(id));
    }
    return absl::OkStatus();
  });
}

grpc::Status UsersServiceImpl::UpdateUser(grpc::ServerContext* context,
                                          const v1::UpdateUserRequest* request,
                                          v1::User* response) {
  return Handle(*context, kPermUsersWrite, request->user().id(),
                [&](const CallScope& call) -> absl::Status {
                  absl::StatusOr<UserUpdate> update = UpdateFromProto(*request);
                  if (!update.ok()) {
                    return update.status();
                  }
                  return Respond(deps_.store.Update(*update, call.actor), response);
                });
}

absl::StatusOr<LastAdminCheck> UsersServiceImpl::AdminCheck() const {
  if (deps_.admins == nullptr) return LastAdminCheck{};
  absl::StatusOr<std::vector<std::string>> holders = deps_.admins->List();
  if (!holders.ok()) return holders.status();
  return LastAdminCheck{.enabled = true, .admin_holder_ids = *std::move(holders)};
}

grpc::Status UsersServiceImpl::DeleteUser(grpc::ServerContext* context,
                                          const v1::DeleteUserRequest* request,
                                          v1::User* response) {
  return Handle(*context, kPermUsersDelete, "", [&](const CallScope& call) -> absl::Status {
    absl::StatusOr<std::optional<int64_t>> version = TargetVersion(request->id(), request->etag());
    if (!version.ok()) {
      return version.status();
    }
    absl::StatusOr<LastAdminCheck> admins = AdminCheck();
    if (!admins.ok()) return admins.status();
    return Respond(deps_.store.SoftDelete(request->id(), *version, call.actor, *admins), response);
  });
}

grpc::Status UsersServiceImpl::RestoreUser(grpc::ServerContext* context,
                                           const v1::RestoreUserRequest* request,
                                           v1::User* response) {
  return Handle(*context, kPermUsersDelete, "", [&](const CallScope& call) -> absl::Status {
    absl::StatusOr<std::optional<int64_t>> version = TargetVersion(request->id(), request->etag());
    if (!version.ok()) {
      return version.status();
    }
    return Respond(deps_.store.Restore(request->id(), *version, call.actor), response);
  });
}

grpc::Status UsersServiceImpl::DisableUser(grpc::ServerContext* context,
                                           const v1::DisableUserRequest* request,
                                           v1::User* response) {
  return Handle(*context, kPermUsersWrite, "", [&](const CallScope& call) -> absl::Status {
    absl::StatusOr<std::optional<int64_t>> version = TargetVersion(request->id(), request->etag());
    if (!version.ok()) {
      return version.status();
    }
    absl::StatusOr<LastAdminCheck> admins = AdminCheck();
    if (!admins.ok()) return admins.status();
    return Respond(deps_.store.SetStatus(request->id(), UserStatus::kDisabled, request->reason(),
                                         *version, call.actor, *admins),
                   response);
  });
}

grpc::Status UsersServiceImpl::EnableUser(grpc::ServerContext* context,
                                          const v1::EnableUserRequest* request,
                                          v1::User* response) {
  return Handle(*context, kPermUsersWrite, "", [&](const CallScope& call) -> absl::Status {
    absl::StatusOr<std::optional<int64_t>> version = TargetVersion(request->id(), request->etag());
    if (!version.ok()) {
      return version.status();
    }
    return Respond(
        deps_.store.SetStatus(request->id(), UserStatus::kActive, "", *version, call.actor),
        response);
  });
}

grpc::Status UsersServiceImpl::ListUsers(grpc::ServerContext* context,
                                         const v1::ListUsersRequest* request,
                                         v1::ListUsersResponse* response) {
  return Handle(*context, kPermUsersRead, "", [&](const CallScope&) -> absl::Status {
    absl::StatusOr<ListUsersRequest> list = ListRequestFromProto(*request);
    if (!list.ok()) {
      return list.status();
    }
    absl::StatusOr<ListUsersPage> page = deps_.store.List(*list);
    if (!page.ok()) {
      return page.status();
    }
    ListResponseToProto(*page, response);
    return absl::OkStatus();
  });
}

static_assert(v1::UserChange::KIND_LIVE == 1 && v1::UserChange::KIND_USER == 2 &&
                  v1::UserChange::KIND_ALL == 3 && v1::UserChange::KIND_PAUSED == 4,
              "numbered as watch::KindNumber");

grpc::Status UsersServiceImpl::WatchUserChanges(grpc::ServerContext* context,
                                                const v1::WatchUserChangesRequest* /*request*/,
                                                grpc::ServerWriter<v1::UserChange>* writer) {
  std::string request_id = server::RequestIdOf(*context);
  absl::StatusOr<CallScope> call =
      deps_.guard.Admit(*context, kPermUsersRead, "", ServiceAccounts::kAdmitted);
  if (!call.ok()) {
    return server::ToGrpcStatus(call.status(), kDomain, request_id);
  }
  absl::Status ended = watch::ServeWatchStream(deps_.feed, *context, *writer);
  return server::ToGrpcStatus(ended, kDomain, request_id);
}

}  // namespace backoffice::users
