#include "bench/users/users_scenarios.h"

#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <chrono>
#include <random>
#include <utility>

#include "absl/strings/str_cat.h"
#include "proto/users/v1/users.grpc.pb.h"

namespace backoffice::bench {
namespace {

namespace v1 = users::v1;

absl::Status FromGrpc(const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

// A context with the call deadline and, when `token` is not empty, the bearer token.
void Prepare(grpc::ClientContext& context, const ScenarioEnv& env, bool with_token) {
  context.set_deadline(std::chrono::system_clock::now() + absl::ToChronoNanoseconds(env.deadline));
  if (with_token) {
    context.AddMetadata("authorization", absl::StrCat("Bearer ", env.access_token));
  }
}

std::unique_ptr<v1::UsersService::Stub> StubFor(const ScenarioEnv& env, int thread) {
  return v1::UsersService::NewStub(env.channels[thread % env.channels.size()]);
}

const std::string& RandomId(const ScenarioEnv& env, std::mt19937_64& random) {
  std::uniform_int_distribution<size_t> pick(0, env.user_ids.size() - 1);
  return env.user_ids[pick(random)];
}

}  // namespace

absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> MakeChannels(
    const std::string& target, int count, absl::Duration connect_timeout) {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < count; ++i) {
    grpc::ChannelArguments args;
    // Channels with equal arguments would share one subchannel (one TCP connection).
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("backoffice.bench.channel", i);
    args.SetMaxReceiveMessageSize(64 << 20);
    std::shared_ptr<grpc::Channel> channel =
        grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
    if (!channel->WaitForConnected(std::chrono::system_clock::now() +
                                   absl::ToChronoNanoseconds(connect_timeout))) {
      return absl::UnavailableError(absl::StrCat("cannot connect to ", target));
    }
    channels.push_back(std::move(channel));
  }
  return channels;
}

absl::StatusOr<std::string> Login(const ScenarioEnv& env, const std::string& email,
                                  const std::string& password) {
  std::unique_ptr<v1::UsersService::Stub> stub = StubFor(env, 0);
  v1::LoginRequest request;
  request.set_email(email);
  request.set_password(password);
  request.mutable_client()->set_ip_address("127.0.0.1");
  request.mutable_client()->set_user_agent("users_bench");
  v1::LoginResponse response;
  grpc::ClientContext context;
  Prepare(context, env, /*with_token=*/false);
  if (grpc::Status status = stub->Login(&context, request, &response); !status.ok()) {
    return FromGrpc(status);
  }
  if (!response.has_tokens() || response.tokens().access_token().empty()) {
    return absl::FailedPreconditionError("Login returned no tokens (second factor enrolled?)");
  }
  return response.tokens().access_token();
}

absl::StatusOr<v1::ListUsersResponse> ListOnce(const ScenarioEnv& env,
                                               const v1::ListUsersRequest& request) {
  std::unique_ptr<v1::UsersService::Stub> stub = StubFor(env, 0);
  v1::ListUsersResponse response;
  grpc::ClientContext context;
  Prepare(context, env, /*with_token=*/true);
  if (grpc::Status status = stub->ListUsers(&context, request, &response); !status.ok()) {
    return FromGrpc(status);
  }
  return response;
}

absl::StatusOr<std::string> WalkToDepth(const ScenarioEnv& env, const v1::ListUsersRequest& request,
                                        int rows, int step) {
  v1::ListUsersRequest walk = request;
  walk.mutable_page()->clear_page_token();
  walk.mutable_page()->set_offset(0);
  walk.mutable_page()->set_total_count_mode(backoffice::common::v1::TOTAL_COUNT_MODE_NONE);
  int walked = 0;
  std::string token;
  while (walked < rows) {
    walk.mutable_page()->set_page_size(std::min(step, rows - walked));
    walk.mutable_page()->set_page_token(token);
    absl::StatusOr<v1::ListUsersResponse> page = ListOnce(env, walk);
    if (!page.ok()) {
      return page.status();
    }
    walked += page->users_size();
    token = page->page_info().next_page_token();
    if (token.empty() || page->users_size() == 0) {
      return absl::OutOfRangeError(
          absl::StrCat("the listing ends after ", walked, " rows; need ", rows));
    }
  }
  return token;
}

CallFactory GetUserCalls(const ScenarioEnv& env) {
  return [&env](int thread) -> CallFn {
    return [&env, stub = std::shared_ptr(StubFor(env, thread)),
            random = std::mt19937_64(thread + 1)]() mutable -> absl::Status {
      v1::GetUserRequest request;
      request.set_id(RandomId(env, random));
      v1::User response;
      grpc::ClientContext context;
      Prepare(context, env, /*with_token=*/true);
      if (grpc::Status status = stub->GetUser(&context, request, &response); !status.ok()) {
        return FromGrpc(status);
      }
      if (response.id() != request.id()) {
        return absl::InternalError("GetUser returned another user");
      }
      return absl::OkStatus();
    };
  };
}

CallFactory BatchGetCalls(const ScenarioEnv& env, int batch) {
  return [&env, batch](int thread) -> CallFn {
    return [&env, batch, stub = std::shared_ptr(StubFor(env, thread)),
            random = std::mt19937_64(thread + 1)]() mutable -> absl::Status {
      v1::BatchGetUsersRequest request;
      for (int i = 0; i < batch; ++i) {
        request.add_ids(RandomId(env, random));
      }
      v1::BatchGetUsersResponse response;
      grpc::ClientContext context;
      Prepare(context, env, /*with_token=*/true);
      if (grpc::Status status = stub->BatchGetUsers(&context, request, &response); !status.ok()) {
        return FromGrpc(status);
      }
      // Random picks may repeat an id; the service returns each id once.
      if (response.missing_ids_size() != 0 || response.users_size() == 0 ||
          response.users_size() > batch) {
        return absl::InternalError(absl::StrCat("BatchGetUsers: ", response.users_size(),
                                                " users, ", response.missing_ids_size(),
                                                " missing"));
      }
      return absl::OkStatus();
    };
  };
}

CallFactory ListCalls(const ScenarioEnv& env, v1::ListUsersRequest request, int expected_rows) {
  return [&env, request = std::move(request), expected_rows](int thread) -> CallFn {
    return [&env, &request, expected_rows,
            stub = std::shared_ptr(StubFor(env, thread))]() -> absl::Status {
      v1::ListUsersResponse response;
      grpc::ClientContext context;
      Prepare(context, env, /*with_token=*/true);
      if (grpc::Status status = stub->ListUsers(&context, request, &response); !status.ok()) {
        return FromGrpc(status);
      }
      if (response.users_size() != expected_rows) {
        return absl::InternalError(absl::StrCat("ListUsers returned ", response.users_size(),
                                                " rows, expected ", expected_rows));
      }
      return absl::OkStatus();
    };
  };
}

CallFactory LoginCalls(const ScenarioEnv& env, std::string email, std::string password) {
  return [&env, email = std::move(email), password = std::move(password)](int thread) -> CallFn {
    return
        [&env, &email, &password, stub = std::shared_ptr(StubFor(env, thread))]() -> absl::Status {
          v1::LoginRequest request;
          request.set_email(email);
          request.set_password(password);
          request.mutable_client()->set_ip_address("127.0.0.1");
          request.mutable_client()->set_user_agent("users_bench");
          v1::LoginResponse response;
          grpc::ClientContext context;
          Prepare(context, env, /*with_token=*/false);
          if (grpc::Status status = stub->Login(&context, request, &response); !status.ok()) {
            return FromGrpc(status);
          }
          if (!response.has_tokens()) {
            return absl::InternalError("Login returned no tokens");
          }
          return absl::OkStatus();
        };
  };
}

}  // namespace backoffice::bench
