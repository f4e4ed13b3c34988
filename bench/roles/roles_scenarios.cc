#include "bench/roles/roles_scenarios.h"

#include <grpcpp/client_context.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <utility>

#include "absl/strings/str_cat.h"
#include "proto/roles/v1/roles.grpc.pb.h"

namespace backoffice::bench {
namespace {

namespace v1 = roles::v1;

absl::Status FromGrpc(const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

void Prepare(grpc::ClientContext& context, const RolesEnv& env) {
  context.set_deadline(std::chrono::system_clock::now() + absl::ToChronoNanoseconds(env.deadline));
  context.AddMetadata("authorization", absl::StrCat("Bearer ", env.access_token));
}

std::shared_ptr<v1::RolesService::Stub> StubFor(const RolesEnv& env, int thread) {
  return v1::RolesService::NewStub(env.channels[thread % env.channels.size()]);
}

// A random (user, permission) question.
void RandomCheck(const RolesEnv& env, std::mt19937_64& random, v1::CheckPermissionRequest* check) {
  check->set_user_id(env.user_ids[random() % env.user_ids.size()]);
  check->set_permission(env.permissions[random() % env.permissions.size()]);
}

// An answer to `check` must name the permission and a role when allowed; counts it.
absl::Status Tally(const v1::CheckPermissionRequest& check,
                   const v1::CheckPermissionResponse& answer, CheckTally& tally) {
  if (!answer.allowed()) {
    tally.denied.fetch_add(1, std::memory_order_relaxed);
    return absl::OkStatus();
  }
  tally.allowed.fetch_add(1, std::memory_order_relaxed);
  if (answer.matched_entry() != check.permission() || answer.matched_role_id().empty()) {
    return absl::InternalError(
        absl::StrCat("allowed ", check.permission(), " for ", check.user_id(), " but matched '",
                     answer.matched_entry(), "' by role '", answer.matched_role_id(), "'"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ListCatalog(const RolesEnv& env) {
  std::shared_ptr<v1::RolesService::Stub> stub = StubFor(env, 0);
  std::vector<std::string> names;
  v1::ListPermissionsRequest request;
  request.mutable_page()->set_page_size(500);
  do {
    v1::ListPermissionsResponse response;
    grpc::ClientContext context;
    Prepare(context, env);
    if (grpc::Status status = stub->ListPermissions(&context, request, &response); !status.ok()) {
      return FromGrpc(status);
    }
    for (const v1::Permission& permission : response.permissions()) {
      names.push_back(permission.name());
    }
    request.mutable_page()->set_page_token(response.page_info().next_page_token());
  } while (!request.page().page_token().empty());
  return names;
}

absl::Status WarmCache(const RolesEnv& env) {
  std::shared_ptr<v1::RolesService::Stub> stub = StubFor(env, 0);
  constexpr size_t kPerCall = 100;  // the most checks one BatchCheckPermissions takes
  for (size_t first = 0; first < env.user_ids.size(); first += kPerCall) {
    v1::BatchCheckPermissionsRequest request;
    for (size_t i = first; i < std::min(first + kPerCall, env.user_ids.size()); ++i) {
      v1::CheckPermissionRequest* check = request.add_checks();
      check->set_user_id(env.user_ids[i]);
      check->set_permission(env.permissions.front());
    }
    v1::BatchCheckPermissionsResponse response;
    grpc::ClientContext context;
    Prepare(context, env);
    if (grpc::Status status = stub->BatchCheckPermissions(&context, request, &response);
        !status.ok()) {
      return FromGrpc(status);
    }
    if (response.results_size() != request.checks_size()) {
      return absl::InternalError("BatchCheckPermissions: one answer per check expected");
    }
  }
  return absl::OkStatus();
}

CallFactory CheckCalls(const RolesEnv& env, CheckTally& tally) {
  return [&env, &tally](int thread) -> CallFn {
    return [&env, &tally, stub = StubFor(env, thread),
            random = std::mt19937_64(thread + 1)]() mutable -> absl::Status {
      v1::CheckPermissionRequest request;
      RandomCheck(env, random, &request);
      v1::CheckPermissionResponse response;
      grpc::ClientContext context;
      Prepare(context, env);
      if (grpc::Status status = stub->CheckPermission(&context, request, &response); !status.ok()) {
        return FromGrpc(status);
      }
      return Tally(request, response, tally);
    };
  };
}

CallFactory BatchCheckCalls(const RolesEnv& env, int batch, CheckTally& tally) {
  return [&env, batch, &tally](int thread) -> CallFn {
    return [&env, batch, &tally, stub = StubFor(env, thread),
            random = std::mt19937_64(thread + 1)]() mutable -> absl::Status {
      v1::BatchCheckPermissionsRequest request;
      for (int i = 0; i < batch; ++i) {
        RandomCheck(env, random, request.add_checks());
      }
      v1::BatchCheckPermissionsResponse response;
      grpc::ClientContext context;
      Prepare(context, env);
      if (grpc::Status status = stub->BatchCheckPermissions(&context, request, &response);
          !status.ok()) {
        return FromGrpc(status);
      }
      if (response.results_size() != batch) {
        return absl::InternalError(
            absl::StrCat(response.results_size(), " answers to ", batch, " checks"));
      }
      for (int i = 0; i < batch; ++i) {
        if (absl::Status s = Tally(request.checks(i), response.results(i), tally); !s.ok()) {
          return s;
        }
      }
      return absl::OkStatus();
    };
  };
}

CallFactory EffectiveColdCalls(const RolesEnv& env, FreshIds& fresh) {
  return [&env, &fresh](int thread) -> CallFn {
    return [&env, &fresh, stub = StubFor(env, thread)]() -> absl::Status {
      const std::string* user = fresh.Next();
      if (user == nullptr) {
        return absl::ResourceExhaustedError("no fresh user left");
      }
      v1::GetEffectivePermissionsRequest request;
      request.set_user_id(*user);
      v1::GetEffectivePermissionsResponse response;
      grpc::ClientContext context;
      Prepare(context, env);
      if (grpc::Status status = stub->GetEffectivePermissions(&context, request, &response);
          !status.ok()) {
        return FromGrpc(status);
      }
      if (response.permissions_size() == 0 || response.role_ids_size() == 0) {
        return absl::InternalError(absl::StrCat("user ", *user, ": no permissions or no roles"));
      }
      return absl::OkStatus();
    };
  };
}

}  // namespace backoffice::bench
