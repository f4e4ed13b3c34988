// The roles service benchmark's calls: each scenario is a CallFactory for RunClosedLoop that
// issues one kind of RolesService call with the caller's bearer token and checks the answer's
// shape.
//
//   RolesEnv env{.channels = *MakeChannels("127.0.0.1:50052", 4, absl::Seconds(10)),
//                .access_token = token, .user_ids = ids, .permissions = *ListCatalog(env)};
//   CheckTally tally;
//   RunClosedLoop(options, CheckCalls(env, tally));
#pragma once

#include <grpcpp/channel.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bench/roles/scenario_plan.h"
#include "bench/users/load_runner.h"

namespace backoffice::bench {

/// What every scenario shares; must outlive the calls made from it.
struct RolesEnv {
  /// Connections to the roles service; thread i uses channels[i % size].
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  /// Sent as `authorization: Bearer <token>`; the caller needs `roles:read` to ask about others.
  std::string access_token;
  /// Users with grants, to pick from at random.
  std::vector<std::string> user_ids;
  /// Permission names to check (the catalog: some held by a user, most not).
  std::vector<std::string> permissions;
  /// Deadline of each call.
  absl::Duration deadline = absl::Seconds(5);
};

/// Allowed and denied answers counted across threads (to show that checks hit both).
struct CheckTally {
  std::atomic<int64_t> allowed{0};
  std::atomic<int64_t> denied{0};
};

/// Every permission name of the catalog (ListPermissions, all pages).
absl::StatusOr<std::vector<std::string>> ListCatalog(const RolesEnv& env);

/// Asks about every user of env.user_ids once (BatchCheckPermissions, 100 users a call), so
/// their effective permissions are resolved and cached.
absl::Status WarmCache(const RolesEnv& env);

/// CheckPermission of a random user and a random catalog permission; an allowed answer must name
/// the permission and a role.
CallFactory CheckCalls(const RolesEnv& env, CheckTally& tally);

/// BatchCheckPermissions of `batch` random (user, permission) pairs; one answer per check.
CallFactory BatchCheckCalls(const RolesEnv& env, int batch, CheckTally& tally);

/// GetEffectivePermissions of the next id of `fresh` (a user never asked about: a cache miss that
/// runs the recursive query); the answer must hold permissions and roles. Run it with at most
/// fresh.size() calls (LoadOptions::max_calls): a call without a fresh id fails.
CallFactory EffectiveColdCalls(const RolesEnv& env, FreshIds& fresh);

}  // namespace backoffice::bench
