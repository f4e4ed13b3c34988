// The users service benchmark's scenarios: each one is a CallFactory for RunClosedLoop that issues
// one kind of UsersService call with the caller's bearer token and checks the response's shape.
//
//   ScenarioEnv env{.channels = MakeChannels("127.0.0.1:50051", 4), .deadline = absl::Seconds(5)};
//   absl::StatusOr<std::string> token = Login(env, email, password);
//   env.access_token = *token;
//   RunClosedLoop(options, GetUserCalls(env));
#pragma once

#include <grpcpp/channel.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bench/users/load_runner.h"
#include "proto/users/v1/users.pb.h"

namespace backoffice::bench {

/// What every scenario shares; must outlive the calls made from it.
struct ScenarioEnv {
  /// Separate HTTP/2 connections; thread i uses channels[i % size].
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  /// Sent as `authorization: Bearer <token>` on every call but Login.
  std::string access_token;
  /// Ids of seeded users to pick from at random.
  std::vector<std::string> user_ids;
  /// Deadline of each call.
  absl::Duration deadline = absl::Seconds(5);
};

/// `count` insecure channels to `target`, each on its own connection, connected (or an error
/// after `connect_timeout`).
absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> MakeChannels(
    const std::string& target, int count, absl::Duration connect_timeout);

/// Logs in through the Login RPC and returns the access token. A response with a second-factor
/// challenge instead of tokens is FAILED_PRECONDITION.
absl::StatusOr<std::string> Login(const ScenarioEnv& env, const std::string& email,
                                  const std::string& password);

/// One ListUsers call (with the token), for setting up scenarios and reporting totals.
absl::StatusOr<users::v1::ListUsersResponse> ListOnce(const ScenarioEnv& env,
                                                      const users::v1::ListUsersRequest& request);

/// The page token of the page that starts `rows` rows into the listing of `request` (no token),
/// obtained by walking there by page token `step` rows at a time (page tokens are bound to the
/// filters and sort, not to the page size).
absl::StatusOr<std::string> WalkToDepth(const ScenarioEnv& env,
                                        const users::v1::ListUsersRequest& request, int rows,
                                        int step);

/// GetUser of a random id from env.user_ids; the response must carry that id.
CallFactory GetUserCalls(const ScenarioEnv& env);

/// BatchGetUsers of `batch` random ids from env.user_ids; every id must be found.
CallFactory BatchGetCalls(const ScenarioEnv& env, int batch);

/// ListUsers with `request` every time; the page must hold `expected_rows` users.
CallFactory ListCalls(const ScenarioEnv& env, users::v1::ListUsersRequest request,
                      int expected_rows);

/// Login with the email and password; the response must carry tokens.
CallFactory LoginCalls(const ScenarioEnv& env, std::string email, std::string password);

}  // namespace backoffice::bench
